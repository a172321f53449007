//! Response fields in the order the query selected them.
//!
//! async-graphql 7.2 resolves an object's fields concurrently and writes each one into the
//! response as it finishes, so a field answered by a dataloader (`documents`, say) can land
//! after a field selected below it, and the order changes from run to run. The GraphQL spec
//! (§7.1.2, Serialized Map Ordering) asks for the query's order, and people reading results
//! in GraphiQL or diffing them rely on it. [`Order`], read from the query before it runs,
//! puts every object of the response back into that order.
//!
//! Keys are ranked by their first appearance in the object's selection set, with fragment
//! spreads and inline fragments expanded where they stand (the order CollectFields gives).
//! Type conditions are not checked: a key selected only under a fragment for another type is
//! simply absent from the object, so it cannot misplace anything unless the same key is also
//! selected, later, for the object's own type — a query no client writes.

use async_graphql::parser::types::{
    DocumentOperations, ExecutableDocument, OperationDefinition, Selection, SelectionSet,
};
use async_graphql::{Name, Value};

/// Fragment spreads followed inside one selection set before giving up. Validation refuses
/// cyclic fragments, so this only bounds work on a document it did not check.
const MAX_SPREAD_DEPTH: usize = 64;

/// Levels of nesting an [`Order`] follows. The schema's depth limit refuses deeper queries
/// before they run; this bounds the work on a document that has not been checked yet.
const MAX_NESTING: usize = 64;

/// Selections read to build one [`Order`], however the query's fragments fan out; past it
/// the remaining keys keep the order they were resolved in.
const MAX_SELECTIONS: usize = 10_000;

/// The operation a request runs: the named one, or the only one.
pub(crate) fn operation<'a>(
    doc: &'a ExecutableDocument,
    name: Option<&str>,
) -> Option<&'a OperationDefinition> {
    match (&doc.operations, name) {
        (DocumentOperations::Single(op), _) => Some(&op.node),
        (DocumentOperations::Multiple(ops), Some(n)) => ops.get(n).map(|op| &op.node),
        (DocumentOperations::Multiple(ops), None) if ops.len() == 1 => {
            ops.values().next().map(|op| &op.node)
        }
        _ => None,
    }
}

/// The order of response keys a query asks for, level by level: built once from the document
/// (before it is handed to the executor) and applied to the response it produces.
#[derive(Debug, Default)]
pub struct Order {
    /// Response keys of an object in query order, each with the order of its own value.
    keys: Vec<(Name, Order)>,
}

impl Order {
    /// The order of the operation `operation_name` of `doc` (or of its only operation).
    pub fn of(doc: &ExecutableDocument, operation_name: Option<&str>) -> Order {
        let mut budget = MAX_SELECTIONS;
        match operation(doc, operation_name) {
            Some(op) => Order::build(&[&op.selection_set.node], doc, 0, &mut budget),
            None => Order::default(),
        }
    }

    fn build(
        sets: &[&SelectionSet],
        doc: &ExecutableDocument,
        level: usize,
        budget: &mut usize,
    ) -> Order {
        if level >= MAX_NESTING {
            return Order::default();
        }
        let mut keyed: Vec<(&Name, Vec<&SelectionSet>)> = Vec::new();
        for set in sets {
            gather(set, doc, &mut keyed, 0, budget);
        }
        let keys = keyed
            .into_iter()
            .map(|(key, subs)| (key.clone(), Order::build(&subs, doc, level + 1, budget)))
            .collect();
        Order { keys }
    }

    /// Reorders `value` so that every object lists its fields in this order. Values are not
    /// touched, only the order of keys; keys the query does not name (there should be none)
    /// keep their place after those it does.
    pub fn apply(&self, value: &mut Value) {
        if self.keys.is_empty() {
            return;
        }
        match value {
            Value::List(items) => {
                for item in items {
                    self.apply(item);
                }
            }
            Value::Object(map) => {
                // Usually already in order (objects resolved by `crate::fast` are): one
                // pass walks the object's keys and the query's together, ordering each
                // value on the way, with no second look-up per key.
                let mut at = 0;
                // Values ordered so far: those before the first key out of order.
                let mut done = 0;
                let mut in_order = true;
                for (k, v) in map.iter_mut() {
                    match self.keys.iter().skip(at).position(|(key, _)| same(key, k)) {
                        Some(i) => {
                            at += i;
                            if let Some((_, sub)) = self.keys.get(at) {
                                sub.apply(v);
                            }
                            done += 1;
                        }
                        None => {
                            in_order = false;
                            break;
                        }
                    }
                }
                if in_order {
                    return;
                }
                // The rest of the values, each ordered once, then the keys sorted.
                for (k, v) in map.iter_mut().skip(done) {
                    if let Some((_, sub)) = self.keys.iter().find(|(key, _)| same(key, k)) {
                        sub.apply(v);
                    }
                }
                let rank = |k: &Name| {
                    self.keys
                        .iter()
                        .position(|(key, _)| same(key, k))
                        .unwrap_or(self.keys.len())
                };
                // Stable, so keys the query does not name keep their relative order.
                map.sort_by_cached_key(|k, _| rank(k));
            }
            _ => {}
        }
    }
}

/// Two response keys are the same: the same text, which is found without comparing it when
/// both are the one string of the parsed query (the executor copies names by reference).
fn same(a: &Name, b: &Name) -> bool {
    let (a, b) = (a.as_str(), b.as_str());
    std::ptr::eq(a, b) || a == b
}

/// Reorders `data`, the `data` of a response to `doc`, so that every object lists its fields
/// in the order the query selected them (see [`Order::apply`]).
pub fn in_query_order(doc: &ExecutableDocument, operation_name: Option<&str>, data: &mut Value) {
    Order::of(doc, operation_name).apply(data);
}

/// Adds the response keys `set` selects to `out`, in order, each with the sub-selections
/// merged under it; fragments are expanded where they stand.
fn gather<'a>(
    set: &'a SelectionSet,
    doc: &'a ExecutableDocument,
    out: &mut Vec<(&'a Name, Vec<&'a SelectionSet>)>,
    depth: usize,
    budget: &mut usize,
) {
    for item in &set.items {
        if *budget == 0 {
            return;
        }
        *budget -= 1;
        match &item.node {
            Selection::Field(f) => {
                let key = &f.node.response_key().node;
                let sub = &f.node.selection_set.node;
                match out.iter_mut().find(|(k, _)| *k == key) {
                    Some((_, subs)) => subs.push(sub),
                    None => out.push((key, vec![sub])),
                }
            }
            Selection::InlineFragment(f) => {
                gather(&f.node.selection_set.node, doc, out, depth, budget)
            }
            Selection::FragmentSpread(s) if depth < MAX_SPREAD_DEPTH => {
                if let Some(def) = doc.fragments.get(&s.node.fragment_name.node) {
                    gather(&def.node.selection_set.node, doc, out, depth + 1, budget);
                }
            }
            Selection::FragmentSpread(_) => {}
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use async_graphql::parser::parse_query;

    fn obj(pairs: Vec<(&str, Value)>) -> Value {
        Value::Object(pairs.into_iter().map(|(k, v)| (Name::new(k), v)).collect())
    }

    fn key_order(v: &Value) -> Vec<String> {
        match v {
            Value::Object(m) => m.keys().map(|k| k.to_string()).collect(),
            _ => Vec::new(),
        }
    }

    #[test]
    fn objects_in_lists_follow_the_selection_with_aliases_and_fragments() {
        let doc = parse_query(
            "query Q { meetings { edges { node { title ...Who when: date { text } \
             ... on Meeting { documents { title } } } } totalCount } } \
             fragment Who on Meeting { participants { name id } }",
        )
        .unwrap();
        let node = |shuffled: bool| {
            let p = obj(vec![("id", Value::from("p1")), ("name", Value::from("A"))]);
            let mut fields = vec![
                (
                    "documents",
                    Value::List(vec![obj(vec![("title", Value::from("t"))])]),
                ),
                ("when", obj(vec![("text", Value::from("2019"))])),
                ("participants", Value::List(vec![p])),
                ("title", Value::from("Talks")),
            ];
            if !shuffled {
                fields.reverse();
            }
            obj(vec![("node", obj(fields))])
        };
        let mut data = obj(vec![(
            "meetings",
            obj(vec![
                ("totalCount", Value::from(2)),
                ("edges", Value::List(vec![node(true), node(false)])),
            ]),
        )]);
        in_query_order(&doc, Some("Q"), &mut data);
        let Value::Object(top) = &data else { panic!() };
        let meetings = &top["meetings"];
        assert_eq!(key_order(meetings), ["edges", "totalCount"]);
        let Value::Object(m) = meetings else { panic!() };
        let Value::List(edges) = &m["edges"] else {
            panic!()
        };
        for edge in edges {
            let Value::Object(e) = edge else { panic!() };
            let node = &e["node"];
            assert_eq!(
                key_order(node),
                ["title", "participants", "when", "documents"]
            );
            let Value::Object(n) = node else { panic!() };
            let Value::List(ps) = &n["participants"] else {
                panic!()
            };
            assert_eq!(key_order(&ps[0]), ["name", "id"]);
        }
    }

    #[test]
    fn keys_the_query_does_not_name_stay_after_those_it_does() {
        let doc = parse_query("{ a b }").unwrap();
        let mut data = obj(vec![
            ("z", Value::Null),
            ("b", Value::Null),
            ("y", Value::Null),
            ("a", Value::Null),
        ]);
        in_query_order(&doc, None, &mut data);
        assert_eq!(key_order(&data), ["a", "b", "z", "y"]);
    }

    #[test]
    fn an_unknown_operation_leaves_the_data_alone() {
        let doc = parse_query("query A { a b } query B { b a }").unwrap();
        let mut data = obj(vec![("b", Value::Null), ("a", Value::Null)]);
        in_query_order(&doc, None, &mut data);
        assert_eq!(key_order(&data), ["b", "a"]);
        in_query_order(&doc, Some("A"), &mut data);
        assert_eq!(key_order(&data), ["a", "b"]);
    }

    #[test]
    fn fragments_that_fan_out_end() {
        let mut q = String::from("{ ...F0 }");
        for i in 0..40 {
            q.push_str(&format!(
                " fragment F{i} on Query {{ a{i}: a ...F{n} ...F{n} }}",
                n = i + 1
            ));
        }
        q.push_str(" fragment F40 on Query { b }");
        let doc = parse_query(&q).unwrap();
        let mut data = obj(vec![("b", Value::Null), ("a0", Value::Null)]);
        in_query_order(&doc, None, &mut data);
        assert_eq!(key_order(&data), ["a0", "b"]);
    }

    #[test]
    fn fragments_that_nest_themselves_end() {
        let doc = parse_query("{ a { ...F } } fragment F on T { a { ...F } b }").unwrap();
        let inner = obj(vec![("b", Value::Null), ("a", Value::Null)]);
        let mut data = obj(vec![("a", inner)]);
        in_query_order(&doc, None, &mut data);
        let Value::Object(top) = &data else { panic!() };
        assert_eq!(key_order(&top["a"]), ["a", "b"]);
    }

    #[test]
    fn cyclic_fragments_end() {
        let doc = parse_query("{ ...F } fragment F on Query { a ...F }").unwrap();
        let mut data = obj(vec![("b", Value::Null), ("a", Value::Null)]);
        in_query_order(&doc, None, &mut data);
        assert_eq!(key_order(&data), ["a", "b"]);
    }
}
