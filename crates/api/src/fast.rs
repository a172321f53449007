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
use std::cell::RefCell;
use std::future::Future;
use std::hash::{BuildHasher, RandomState};
use std::pin::Pin;
use std::sync::LazyLock;

use async_graphql::indexmap::map::raw_entry_v1::{RawEntryApiV1, RawEntryMut};
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
            // Boxed too, although rare: unboxed, async-graphql's container future would be
            // part of this one (304 bytes instead of 48 in a test build), and so of every
            // field future that returns a `Fast` object. Such a future is moved whole when
            // it starts, whichever field runs: a quotation's `text` moved the room its
            // `document` needs.
            let other: Pin<Box<dyn Future<Output = ServerResult<Value>> + Send + '_>> = Box::pin(
                async_graphql::resolver_utils::resolve_container(ctx, &self.0),
            );
            other.await
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

/// The hasher of every map [`Fast`] makes (each a clone of it), so that one hash of a
/// response key serves every object that has the key: async-graphql's maps hash with the
/// standard library's SipHash, whose keys a map otherwise draws anew, and the nested
/// query's hundreds of objects have the same few keys.
static HASHER: LazyLock<RandomState> = LazyLock::new(RandomState::new);

/// Slots of [`KEY_HASHES`].
const KEY_SLOTS: usize = 64;

thread_local! {
    /// Recent response keys with their [`HASHER`] hashes, in slots chosen by the address
    /// of the key's text. A slot holds the key itself, so that text is not freed while the
    /// slot holds it, and no other key can have its address: a key at the same address is
    /// the same key.
    static KEY_HASHES: RefCell<[Option<(Name, u64)>; KEY_SLOTS]> =
        const { RefCell::new([const { None }; KEY_SLOTS]) };
}

/// `key`'s hash by [`HASHER`], from [`KEY_HASHES`] when it is there.
fn key_hash(key: &Name) -> u64 {
    let text = key.as_str();
    let addr = text.as_ptr() as usize;
    // Each key's text is in an allocation of its own, so texts start at least 8 bytes
    // apart: the low three bits tell nothing.
    let slot = (addr >> 3 ^ addr >> 9) % KEY_SLOTS;
    KEY_HASHES.with_borrow_mut(|slots| {
        let cached = slots.get(slot).and_then(|s| s.as_ref()).and_then(|(k, h)| {
            let k = k.as_str();
            (k.as_ptr() == text.as_ptr() && k.len() == text.len()).then_some(*h)
        });
        cached.unwrap_or_else(|| {
            let h = HASHER.hash_one(key);
            if let Some(s) = slots.get_mut(slot) {
                *s = Some((key.clone(), h));
            }
            h
        })
    })
}

/// Puts `value` under `key`, as `IndexMap::insert` does, hashing `key` by [`key_hash`].
fn insert(map: &mut IndexMap<Name, Value>, key: Name, value: Value) {
    let h = key_hash(&key);
    match map.raw_entry_mut_v1().from_hash(h, |k| *k == key) {
        RawEntryMut::Occupied(mut e) => {
            e.insert(value);
        }
        RawEntryMut::Vacant(e) => {
            e.insert_hashed_nocheck(h, key, value);
        }
    }
}

async fn resolve_plain<T: ContainerType>(ctx: &ContextSelectionSet<'_>, root: &T) -> Value {
    let items = &ctx.item.node.items;
    let mut map = IndexMap::with_capacity_and_hasher(items.len(), HASHER.clone());
    let mut keep = |answer: ServerResult<(Name, Value)>| match answer {
        Ok((key, value)) => insert(&mut map, key, value),
        Err(e) => ctx.add_error(e),
    };
    if let [item] = items.as_slice() {
        // One field (`document { title }`, `edges { node }`...): nothing to run beside
        // it, so no joined set, whose slots each hold a copy of the largest resolver's
        // future (a field's future is moved into its slot whole, however little of it
        // is in use yet).
        keep(resolve_field(ctx, root, item).await);
    } else if let [a, b] = items.as_slice() {
        // Two fields (a meeting's `title` and `participants`, a quotation's `text` and
        // `document`...), the most common selection: joined in place, without the
        // allocated set and the vector of answers `join_all` makes.
        let (a, b) =
            futures_util::future::join(resolve_field(ctx, root, a), resolve_field(ctx, root, b))
                .await;
        keep(a);
        keep(b);
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

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_key_hashes_as_the_maps_hasher_hashes_it() {
        // Keys made and dropped in turn, so that new keys, of other names, are allocated
        // where earlier ones were: a slot that kept only an address would answer with the
        // hash of the name that was there before.
        for round in 0..5_000 {
            let key = Name::new(format!("k{}", round % 37));
            let copy = key.clone();
            assert_eq!(key_hash(&key), HASHER.hash_one(&key), "{key}");
            assert_eq!(key_hash(&copy), HASHER.hash_one(&key), "{key}");
        }
    }

    #[test]
    fn a_map_filled_by_insert_is_a_map_filled_by_index_map_insert() {
        let mut ours = IndexMap::with_capacity_and_hasher(0, HASHER.clone());
        let mut theirs = IndexMap::new();
        // Past the first capacity, so that the table is rebuilt from the hashes it holds;
        // the first hundred keys twice, the second time with a new value.
        for i in 0..300 {
            let (key, value) = (Name::new(format!("f{}", i % 200)), Value::from(i));
            insert(&mut ours, key.clone(), value.clone());
            theirs.insert(key, value);
        }
        assert_eq!(ours.len(), 200);
        assert!(ours.iter().eq(theirs.iter()));
        for (k, v) in &theirs {
            assert_eq!(ours.get(k.as_str()), Some(v), "{k}");
        }
        assert_eq!(ours.get("f300"), None);
    }
}
