//! Objects resolved without async-graphql's per-field task set.
//!
//! async-graphql 7.2 resolves every object by boxing a future for each selected field,
//! wrapping each in a task of a new `FuturesUnordered`, and collecting the answers in a map
//! that grows as they arrive: for the benchmark's nested query that is about 1,100 of the
//! 4,000 allocations a request makes, for 245 objects whose fields are mostly plain reads of
//! a row. [`Fast`] wraps an object type and resolves a plain selection of it (fields only,
//! no fragments, no directives, no response key twice) by running its fields' resolvers
//! concurrently in one joined future and writing the answers into a map sized once; any
//! other selection goes through async-graphql's own `resolve_container`, unchanged.
//!
//! The answer is the one async-graphql gives: the same resolvers run on the same contexts,
//! a field's error is recorded and its key left out, an object whose fields all failed is
//! null. The order of keys is the selection's, which [`crate::order`] also gives.
//!
//! The schema registers no extensions (`schema::build`); a plain selection here does not
//! call extension hooks, so one added there must be honoured here too.

use std::borrow::Cow;
use std::future::Future;
use std::pin::Pin;

use async_graphql::indexmap::IndexMap;
use async_graphql::parser::types::{Field, Selection};
use async_graphql::registry::Registry;
use async_graphql::resolver_utils::ContainerType;
use async_graphql::{ContextSelectionSet, Name, OutputType, Positioned, ServerResult, Value};

/// Fields in a selection resolved by [`Fast`]; a larger one takes async-graphql's path,
/// which polls only the fields woken rather than all of them.
const MAX_FIELDS: usize = 16;

/// An object of type `T`, the same in the schema, resolved as the module says.
pub struct Fast<T>(pub T);

impl<T: ContainerType> OutputType for Fast<T> {
    fn type_name() -> Cow<'static, str> {
        T::type_name()
    }

    fn qualified_type_name() -> String {
        T::qualified_type_name()
    }

    fn introspection_type_name(&self) -> Cow<'static, str> {
        self.0.introspection_type_name()
    }

    fn create_type_info(registry: &mut Registry) -> String {
        T::create_type_info(registry)
    }

    async fn resolve(
        &self,
        ctx: &ContextSelectionSet<'_>,
        _field: &Positioned<Field>,
    ) -> ServerResult<Value> {
        if is_plain(ctx) {
            // Boxed: the answer's future holds the fields' resolvers, which hold their own
            // `Fast` objects' futures; unboxed, it would be a type that contains itself.
            let plain: Pin<Box<dyn Future<Output = Value> + Send + '_>> =
                Box::pin(resolve_plain(ctx, &self.0));
            Ok(plain.await)
        } else {
            async_graphql::resolver_utils::resolve_container(ctx, &self.0).await
        }
    }
}

/// True when the selection is plain: fields only, without directives, each response key
/// once, at most [`MAX_FIELDS`].
fn is_plain(ctx: &ContextSelectionSet<'_>) -> bool {
    let items = &ctx.item.node.items;
    items.len() <= MAX_FIELDS
        && items.iter().enumerate().all(|(i, item)| {
            let Selection::Field(field) = &item.node else {
                return false;
            };
            let key = &field.node.response_key().node;
            field.node.directives.is_empty()
                && !items.iter().take(i).any(|earlier| {
                    matches!(&earlier.node, Selection::Field(f) if &f.node.response_key().node == key)
                })
        })
}

/// One field of a plain selection: its response key and value.
async fn resolve_field<T: ContainerType>(
    ctx: &ContextSelectionSet<'_>,
    root: &T,
    item: &Positioned<Selection>,
) -> ServerResult<(Name, Value)> {
    // `is_plain` let only fields through.
    let Selection::Field(field) = &item.node else {
        return Err(async_graphql::ServerError::new(
            "a plain selection holds fields only",
            Some(item.pos),
        ));
    };
    let key = field.node.response_key().node.clone();
    if field.node.name.node == "__typename" {
        return Ok((
            key,
            Value::String(root.introspection_type_name().into_owned()),
        ));
    }
    let ctx_field = ctx.with_field(field);
    Ok((
        key,
        root.resolve_field(&ctx_field).await?.unwrap_or_default(),
    ))
}

async fn resolve_plain<T: ContainerType>(ctx: &ContextSelectionSet<'_>, root: &T) -> Value {
    let items = &ctx.item.node.items;
    let mut map = IndexMap::with_capacity(items.len());
    let mut keep = |answer: ServerResult<(Name, Value)>| match answer {
        Ok((key, value)) => {
            map.insert(key, value);
        }
        Err(e) => ctx.add_error(e),
    };
    if let [item] = items.as_slice() {
        // One field (`document { title }`, `edges { node }`...): nothing to run beside
        // it, so no joined set, whose slots each hold a copy of the largest resolver's
        // future (a field's future is moved into its slot whole, however little of it
        // is in use yet).
        keep(resolve_field(ctx, root, item).await);
    } else {
        // Sized from the selection (every item is a field), so the set is allocated once.
        for answer in
            futures_util::future::join_all(items.iter().map(|item| resolve_field(ctx, root, item)))
                .await
        {
            keep(answer);
        }
    }
    if map.is_empty() {
        Value::Null
    } else {
        Value::Object(map)
    }
}
