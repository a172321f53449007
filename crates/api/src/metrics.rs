//! Prometheus metrics: GraphQL requests and latency by operation name, errors, and the
//! database pool, rendered at `/metrics` in the text exposition format.

use std::collections::BTreeMap;
use std::sync::Mutex;
use std::time::Duration;

const BUCKETS: [f64; 10] = [0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 1.0, 5.0];

#[derive(Default, Clone)]
struct Series {
    count: u64,
    errors: u64,
    sum: f64,
    buckets: [u64; BUCKETS.len()],
}

/// Counters shared by every request.
#[derive(Default)]
pub struct Metrics {
    ops: Mutex<BTreeMap<String, Series>>,
}

fn label(s: &str) -> String {
    s.chars()
        .filter(|c| c.is_ascii_alphanumeric() || *c == '_')
        .take(64)
        .collect::<String>()
}

impl Metrics {
    /// Records one GraphQL request.
    pub fn record(&self, operation: &str, took: Duration, failed: bool) {
        let Ok(mut ops) = self.ops.lock() else { return };
        // Bound the number of series a client can create.
        let key = if ops.len() >= 500 && !ops.contains_key(operation) {
            "other".to_string()
        } else {
            label(operation)
        };
        let s = ops.entry(key).or_default();
        let secs = took.as_secs_f64();
        s.count += 1;
        s.sum += secs;
        if failed {
            s.errors += 1;
        }
        for (i, b) in BUCKETS.iter().enumerate() {
            if secs <= *b {
                if let Some(c) = s.buckets.get_mut(i) {
                    *c += 1;
                }
            }
        }
    }

    /// The metrics in Prometheus text format.
    pub fn render(
        &self,
        pool_size: u32,
        pool_idle: usize,
        documents: Option<u64>,
        ingests: [u64; 3],
        heavy_reads: (u32, u32),
    ) -> String {
        let mut out = String::new();
        out.push_str(
            "# HELP diplograph_graphql_requests_total GraphQL requests by operation name.\n",
        );
        out.push_str("# TYPE diplograph_graphql_requests_total counter\n");
        let ops = self.ops.lock().map(|o| o.clone()).unwrap_or_default();
        for (op, s) in &ops {
            out.push_str(&format!(
                "diplograph_graphql_requests_total{{operation=\"{op}\"}} {}\n",
                s.count
            ));
        }
        out.push_str(
            "# HELP diplograph_graphql_errors_total GraphQL requests that returned errors.\n",
        );
        out.push_str("# TYPE diplograph_graphql_errors_total counter\n");
        for (op, s) in &ops {
            out.push_str(&format!(
                "diplograph_graphql_errors_total{{operation=\"{op}\"}} {}\n",
                s.errors
            ));
        }
        out.push_str("# HELP diplograph_graphql_duration_seconds GraphQL request latency.\n");
        out.push_str("# TYPE diplograph_graphql_duration_seconds histogram\n");
        for (op, s) in &ops {
            for (i, b) in BUCKETS.iter().enumerate() {
                out.push_str(&format!(
                    "diplograph_graphql_duration_seconds_bucket{{operation=\"{op}\",le=\"{b}\"}} {}\n",
                    s.buckets.get(i).copied().unwrap_or(0)
                ));
            }
            out.push_str(&format!(
                "diplograph_graphql_duration_seconds_bucket{{operation=\"{op}\",le=\"+Inf\"}} {}\n",
                s.count
            ));
            out.push_str(&format!(
                "diplograph_graphql_duration_seconds_sum{{operation=\"{op}\"}} {}\n",
                s.sum
            ));
            out.push_str(&format!(
                "diplograph_graphql_duration_seconds_count{{operation=\"{op}\"}} {}\n",
                s.count
            ));
        }
        out.push_str("# HELP diplograph_db_pool_connections Open database connections.\n# TYPE diplograph_db_pool_connections gauge\n");
        out.push_str(&format!("diplograph_db_pool_connections {pool_size}\n"));
        out.push_str("# HELP diplograph_db_pool_idle Idle database connections.\n# TYPE diplograph_db_pool_idle gauge\n");
        out.push_str(&format!("diplograph_db_pool_idle {pool_idle}\n"));
        let (heavy_limit, heavy_running) = heavy_reads;
        out.push_str("# HELP diplograph_heavy_reads_limit Most heavy reads (search, text filters) run at once.\n# TYPE diplograph_heavy_reads_limit gauge\n");
        out.push_str(&format!("diplograph_heavy_reads_limit {heavy_limit}\n"));
        out.push_str("# HELP diplograph_heavy_reads_running Heavy reads running now (the others wait their turn).\n# TYPE diplograph_heavy_reads_running gauge\n");
        out.push_str(&format!("diplograph_heavy_reads_running {heavy_running}\n"));
        out.push_str("# HELP diplograph_ingests_total Documents ingested by this process, by outcome.\n# TYPE diplograph_ingests_total counter\n");
        for (outcome, n) in ["new", "unchanged", "failed"].iter().zip(ingests) {
            out.push_str(&format!(
                "diplograph_ingests_total{{outcome=\"{outcome}\"}} {n}\n"
            ));
        }
        if let Some(n) = documents {
            out.push_str("# HELP diplograph_documents Documents in the graph.\n# TYPE diplograph_documents gauge\n");
            out.push_str(&format!("diplograph_documents {n}\n"));
        }
        out
    }
}
