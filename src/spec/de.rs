//! serde over the YAML node tree, collecting every shape error instead of stopping at
//! the first.
//!
//! The raw structs (`raw.rs`) derive `Deserialize`; this deserializer feeds them. A
//! struct's unknown keys are reported (with the closest allowed key) and skipped, `x-`
//! keys of the suite and of a test are skipped silently, and a [`Field`] that cannot be
//! read records its error and becomes [`Field::Invalid`], so its siblings are still read.
//!
//! Where a struct sits in a spec (for "unknown key `x` in `expect`") and whether it takes
//! `x-` keys is data ([`PLACES`]), found by the name the struct declares for serde with
//! `#[serde(rename(deserialize = "expect"))]` in `raw.rs` (and `settings/proxies.rs`):
//! renaming a Rust type changes no message and no rule.

use std::cell::RefCell;
use std::fmt;
use std::marker::PhantomData;

use serde::de::{
    self, DeserializeOwned, DeserializeSeed, Deserializer, Expected, IntoDeserializer, MapAccess,
    SeqAccess, Unexpected, Visitor,
};
use serde::Deserialize;

use super::error::did_you_mean;
use super::error_kind::ErrorKind;
use super::yaml::{self, Key, Kind, Node};
use super::{Pos, Span};

const FIELD: &str = "$putcheck::Field";
const SPANNED: &str = "$putcheck::Spanned";
const NODE: &str = "$putcheck::Node";
/// The message of an error that was recorded where it happened.
pub const REPORTED: &str = "$putcheck::reported";

/// A place in a spec file that a raw struct stands for.
struct Place {
    /// The name the struct gives serde (`#[serde(rename(deserialize = ...))]`).
    name: &'static str,
    /// How a message says where a key is: `in \`expect\``.
    within: &'static str,
    /// Whether `x-` keys are ignored here (a home for YAML anchors).
    allows_x_keys: bool,
}

const PLACES: &[Place] = &[
    Place {
        name: "spec",
        within: "at the top level of a spec",
        allows_x_keys: true,
    },
    Place {
        name: "test",
        within: "in a test",
        allows_x_keys: true,
    },
    Place {
        name: "defaults",
        within: "in `defaults`",
        allows_x_keys: false,
    },
    Place {
        name: "expect",
        within: "in `expect`",
        allows_x_keys: false,
    },
    Place {
        name: "idempotency",
        within: "in `idempotency`",
        allows_x_keys: false,
    },
    Place {
        name: "idempotency.reject",
        within: "in `idempotency.reject`",
        allows_x_keys: false,
    },
    Place {
        name: "retry",
        within: "in `retry`",
        allows_x_keys: false,
    },
    Place {
        name: "generate",
        within: "in `generate`",
        allows_x_keys: false,
    },
    Place {
        name: "proxies",
        within: "in `proxies`",
        allows_x_keys: false,
    },
    Place {
        name: "capture",
        within: "in a capture",
        allows_x_keys: false,
    },
];

/// A struct that declares no place (none should): "here", without `x-` keys.
const ANYWHERE: Place = Place {
    name: "",
    within: "here",
    allows_x_keys: false,
};

fn place(serde_name: &str) -> &'static Place {
    PLACES
        .iter()
        .find(|p| p.name == serde_name)
        .unwrap_or(&ANYWHERE)
}

thread_local! {
    /// Errors recorded while one file is read (loading is synchronous on one thread).
    static ERRORS: RefCell<Vec<ShapeError>> = const { RefCell::new(Vec::new()) };
    /// Hands a node to [`Yaml`]'s visitor (serde has no way to pass a borrowed tree).
    static NODE_SLOT: RefCell<Option<Node>> = const { RefCell::new(None) };
}

/// A value of the wrong shape, an unknown key, a missing key.
#[derive(Debug, Clone, PartialEq)]
pub struct ShapeError {
    pub span: Option<Span>,
    pub kind: ErrorKind,
    /// Already recorded: the enclosing [`Field`] only needs to know it failed.
    reported: bool,
}

impl ShapeError {
    pub fn new(span: Span, kind: ErrorKind) -> Self {
        ShapeError {
            span: Some(span),
            kind,
            reported: false,
        }
    }

    fn reported() -> Self {
        ShapeError {
            span: None,
            kind: ErrorKind::Serde {
                message: REPORTED.into(),
            },
            reported: true,
        }
    }

    fn at(mut self, span: Span) -> Self {
        self.span.get_or_insert(span);
        self
    }

    /// A missing key learns the place that misses it.
    fn within(mut self, place: &'static Place) -> Self {
        if let ErrorKind::MissingKey { within, .. } = &mut self.kind {
            if *within == ANYWHERE.within {
                *within = place.within;
            }
        }
        self
    }
}

impl fmt::Display for ShapeError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        self.kind.fmt(f)
    }
}

impl std::error::Error for ShapeError {}

/// Words for what a serde type error found.
fn unexpected(u: &Unexpected) -> String {
    match u {
        Unexpected::Seq => "a list".into(),
        Unexpected::Map => "a map".into(),
        Unexpected::Unit | Unexpected::Option => "null".into(),
        Unexpected::Str(s) => format!("the string `{s}`"),
        Unexpected::Unsigned(n) => format!("the number `{n}`"),
        Unexpected::Signed(n) => format!("the number `{n}`"),
        Unexpected::Float(n) => format!("the number `{n}`"),
        Unexpected::Bool(b) => format!("`{b}`"),
        other => other.to_string(),
    }
}

/// Serde's words for what it expected, in the spec's (`a list`, not `a sequence`).
fn expected(exp: &dyn Expected) -> String {
    exp.to_string().replace("a sequence", "a list")
}

impl ShapeError {
    /// An error without a place yet (the caller's node gives it, [`ShapeError::at`]).
    fn unplaced(kind: ErrorKind) -> Self {
        ShapeError {
            span: None,
            kind,
            reported: false,
        }
    }
}

impl de::Error for ShapeError {
    /// A message serde's derived code words itself; putcheck's own deserializers record
    /// a kind where they are (`settings/`) and return [`REPORTED`].
    fn custom<T: fmt::Display>(msg: T) -> Self {
        let message = msg.to_string();
        if message == REPORTED {
            return ShapeError::reported();
        }
        ShapeError::unplaced(ErrorKind::Serde { message })
    }

    fn invalid_type(unexp: Unexpected, exp: &dyn Expected) -> Self {
        ShapeError::unplaced(ErrorKind::WrongShape {
            expected: expected(exp),
            found: unexpected(&unexp),
            key: None,
        })
    }

    fn invalid_value(unexp: Unexpected, exp: &dyn Expected) -> Self {
        Self::invalid_type(unexp, exp)
    }

    fn missing_field(field: &'static str) -> Self {
        ShapeError::unplaced(ErrorKind::MissingKey {
            key: field,
            within: ANYWHERE.within,
            example: None,
        })
    }
}

/// Records `e` (unless it says it was recorded already) for the file being read; the
/// settings (`settings/`) record what they find this way while serde reads them.
pub fn record(e: ShapeError) {
    if !e.reported {
        ERRORS.with(|errors| errors.borrow_mut().push(e));
    }
}

/// Reads `T` from the tree; every problem is recorded, `None` if `T` could not be built.
pub fn from_node<T: DeserializeOwned>(node: &Node) -> Option<T> {
    match T::deserialize(NodeDe(node)) {
        Ok(v) => Some(v),
        Err(e) => {
            record(e.at(node.span()));
            None
        }
    }
}

/// Runs `f` and returns what it produced with every shape error it recorded.
pub fn collecting<R>(f: impl FnOnce() -> R) -> (R, Vec<ShapeError>) {
    let before = ERRORS.with(|errors| std::mem::take(&mut *errors.borrow_mut()));
    let out = f();
    let errors = ERRORS.with(|errors| std::mem::replace(&mut *errors.borrow_mut(), before));
    (out, errors)
}

/// A key of a raw struct: absent, present but unreadable (error recorded), or read.
#[derive(Debug, Clone, Default)]
pub enum Field<T> {
    #[default]
    Absent,
    Invalid(Pos),
    Valid(Spanned<T>),
}

impl<T> Field<T> {
    pub fn get(&self) -> Option<&Spanned<T>> {
        match self {
            Field::Valid(s) => Some(s),
            _ => None,
        }
    }

    pub fn take(self) -> Option<Spanned<T>> {
        match self {
            Field::Valid(s) => Some(s),
            _ => None,
        }
    }

    pub fn value(self) -> Option<T> {
        self.take().map(|s| s.value)
    }

    /// Present in the file (readable or not).
    pub fn is_present(&self) -> bool {
        !matches!(self, Field::Absent)
    }

    pub fn pos(&self) -> Option<Pos> {
        match self {
            Field::Absent => None,
            Field::Invalid(p) => Some(*p),
            Field::Valid(s) => Some(s.pos),
        }
    }
}

/// A value with the position where it starts and where it ends (exclusive).
#[derive(Debug, Clone, PartialEq)]
pub struct Spanned<T> {
    pub pos: Pos,
    pub end: Pos,
    pub value: T,
}

impl<T> Spanned<T> {
    pub fn span(&self) -> Span {
        Span {
            start: self.pos,
            end: self.end,
        }
    }
}

struct SpanVisitor<T>(bool, PhantomData<T>);

impl<'de, T: Deserialize<'de>> Visitor<'de> for SpanVisitor<T> {
    type Value = Field<T>;
    fn expecting(&self, f: &mut fmt::Formatter) -> fmt::Result {
        f.write_str("a value")
    }
    fn visit_seq<A: SeqAccess<'de>>(self, mut seq: A) -> Result<Self::Value, A::Error> {
        let mut number =
            || -> Result<u64, A::Error> { Ok(seq.next_element()?.unwrap_or_default()) };
        let pos = Pos {
            line: number()?,
            column: number()?,
        };
        let end = Pos {
            line: number()?,
            column: number()?,
        };
        match seq.next_element::<T>() {
            Ok(Some(value)) => Ok(Field::Valid(Spanned { pos, end, value })),
            Err(e) if self.0 => Err(e),
            _ => Ok(Field::Invalid(pos)),
        }
    }
}

impl<'de, T: Deserialize<'de>> Deserialize<'de> for Field<T> {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        d.deserialize_newtype_struct(FIELD, SpanVisitor(false, PhantomData))
    }
}

impl<'de, T: Deserialize<'de>> Deserialize<'de> for Spanned<T> {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        match d.deserialize_newtype_struct(SPANNED, SpanVisitor(true, PhantomData))? {
            Field::Valid(s) => Ok(s),
            _ => Err(de::Error::custom("a value")),
        }
    }
}

/// A YAML node kept as it is, for values whose shape is checked by the conversion
/// (`status: 200` or `[200, 201]`), so that each part can be pointed at.
#[derive(Debug, Clone, PartialEq)]
pub struct Yaml(pub Node);

impl<'de> Deserialize<'de> for Yaml {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        struct V;
        impl<'de> Visitor<'de> for V {
            type Value = Yaml;
            fn expecting(&self, f: &mut fmt::Formatter) -> fmt::Result {
                f.write_str("a YAML value")
            }
            fn visit_unit<E: de::Error>(self) -> Result<Yaml, E> {
                NODE_SLOT
                    .with(|slot| slot.borrow_mut().take())
                    .map(Yaml)
                    .ok_or_else(|| E::custom("a YAML value"))
            }
        }
        d.deserialize_newtype_struct(NODE, V)
    }
}

/// Describes what a map holds, for "expected a map of header names to values".
pub trait Label {
    const EXPECTING: &'static str;
}

/// A map of user-chosen names (headers, JSONPaths, variables) in file order; each value
/// is read on its own, so one bad value does not hide the others.
#[derive(Debug, Clone)]
pub struct Entries<V, L>(pub Vec<(Spanned<String>, Field<V>)>, PhantomData<L>);

impl<V, L> Default for Entries<V, L> {
    fn default() -> Self {
        Entries(Vec::new(), PhantomData)
    }
}

impl<V, L> Entries<V, L> {
    pub fn into_valid(self) -> impl Iterator<Item = (Spanned<String>, Spanned<V>)> {
        self.0
            .into_iter()
            .filter_map(|(k, v)| v.take().map(|v| (k, v)))
    }
}

impl<'de, V: Deserialize<'de>, L: Label> Deserialize<'de> for Entries<V, L> {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        struct EntriesVisitor<V, L>(PhantomData<(V, L)>);
        impl<'de, V: Deserialize<'de>, L: Label> Visitor<'de> for EntriesVisitor<V, L> {
            type Value = Entries<V, L>;
            fn expecting(&self, f: &mut fmt::Formatter) -> fmt::Result {
                f.write_str(L::EXPECTING)
            }
            fn visit_map<A: MapAccess<'de>>(self, mut map: A) -> Result<Self::Value, A::Error> {
                let mut entries = Vec::new();
                while let Some(key) = map.next_key()? {
                    entries.push((key, map.next_value()?));
                }
                Ok(Entries(entries, PhantomData))
            }
        }
        d.deserialize_map(EntriesVisitor(PhantomData))
    }
}

/// A list whose type error says what it is a list of ("expected a list of tests").
#[derive(Debug, Clone)]
pub struct List<T, L>(pub Vec<T>, PhantomData<L>);

impl<T, L> Default for List<T, L> {
    fn default() -> Self {
        List(Vec::new(), PhantomData)
    }
}

impl<'de, T: Deserialize<'de>, L: Label> Deserialize<'de> for List<T, L> {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        struct ListVisitor<T, L>(PhantomData<(T, L)>);
        impl<'de, T: Deserialize<'de>, L: Label> Visitor<'de> for ListVisitor<T, L> {
            type Value = List<T, L>;
            fn expecting(&self, f: &mut fmt::Formatter) -> fmt::Result {
                f.write_str(L::EXPECTING)
            }
            fn visit_seq<A: SeqAccess<'de>>(self, mut seq: A) -> Result<Self::Value, A::Error> {
                let mut items = Vec::new();
                while let Some(item) = seq.next_element()? {
                    items.push(item);
                }
                Ok(List(items, PhantomData))
            }
        }
        d.deserialize_seq(ListVisitor(PhantomData))
    }
}

/// Serde's view of one node.
struct NodeDe<'a>(&'a Node);

impl NodeDe<'_> {
    fn mismatch(&self, exp: &dyn Expected) -> ShapeError {
        ShapeError::new(
            self.0.span(),
            ErrorKind::WrongShape {
                expected: expected(exp),
                found: self.0.found(),
                key: None,
            },
        )
    }

    fn span(&self) -> Span {
        self.0.span()
    }
}

impl<'de> Deserializer<'de> for NodeDe<'_> {
    type Error = ShapeError;

    fn deserialize_any<V: Visitor<'de>>(self, visitor: V) -> Result<V::Value, ShapeError> {
        let span = self.span();
        match &self.0.kind {
            Kind::Null => visitor.visit_unit(),
            Kind::Bool(b) => visitor.visit_bool(*b),
            Kind::Number(n) => {
                let n = &n.json;
                if let Ok(u) = n.parse::<u64>() {
                    visitor.visit_u64(u)
                } else if let Ok(i) = n.parse::<i64>() {
                    visitor.visit_i64(i)
                } else {
                    let f: f64 = n.parse().unwrap_or(f64::NAN);
                    visitor.visit_f64(f)
                }
            }
            Kind::Str(s) => visitor.visit_str(s),
            Kind::Seq(items) => visitor.visit_seq(SeqDe(items.iter())),
            Kind::Map(entries) => visitor.visit_map(MapDe::new(entries.iter().collect())),
        }
        .map_err(|e| e.at(span))
    }

    fn deserialize_bool<V: Visitor<'de>>(self, visitor: V) -> Result<V::Value, ShapeError> {
        match &self.0.kind {
            Kind::Bool(b) => visitor
                .visit_bool(*b)
                .map_err(|e: ShapeError| e.at(self.span())),
            Kind::Str(s)
                if ["yes", "no", "on", "off", "y", "n"].contains(&s.to_lowercase().as_str()) =>
            {
                Err(ShapeError::new(
                    self.span(),
                    ErrorKind::Yaml11Boolean {
                        expected: expected(&visitor),
                        found: self.0.found(),
                    },
                ))
            }
            _ => Err(self.mismatch(&visitor)),
        }
    }

    fn deserialize_str<V: Visitor<'de>>(self, visitor: V) -> Result<V::Value, ShapeError> {
        match &self.0.kind {
            Kind::Str(s) | Kind::Number(yaml::Number { written: s, .. }) => visitor
                .visit_str(s)
                .map_err(|e: ShapeError| e.at(self.span())),
            Kind::Bool(b) => visitor
                .visit_str(&b.to_string())
                .map_err(|e: ShapeError| e.at(self.span())),
            _ => Err(self.mismatch(&visitor)),
        }
    }

    fn deserialize_string<V: Visitor<'de>>(self, visitor: V) -> Result<V::Value, ShapeError> {
        self.deserialize_str(visitor)
    }

    fn deserialize_identifier<V: Visitor<'de>>(self, visitor: V) -> Result<V::Value, ShapeError> {
        self.deserialize_str(visitor)
    }

    fn deserialize_option<V: Visitor<'de>>(self, visitor: V) -> Result<V::Value, ShapeError> {
        match self.0.kind {
            Kind::Null => visitor.visit_none(),
            _ => visitor.visit_some(self),
        }
    }

    fn deserialize_seq<V: Visitor<'de>>(self, visitor: V) -> Result<V::Value, ShapeError> {
        match &self.0.kind {
            Kind::Seq(items) => visitor
                .visit_seq(SeqDe(items.iter()))
                .map_err(|e: ShapeError| e.at(self.span())),
            _ => Err(self.mismatch(&visitor)),
        }
    }

    fn deserialize_map<V: Visitor<'de>>(self, visitor: V) -> Result<V::Value, ShapeError> {
        match &self.0.kind {
            // `headers:` with nothing after it: an empty map, as it reads.
            Kind::Null => visitor
                .visit_map(MapDe::new(Vec::new()))
                .map_err(|e: ShapeError| e.at(self.span())),
            Kind::Map(entries) => visitor
                .visit_map(MapDe::new(entries.iter().collect()))
                .map_err(|e: ShapeError| e.at(self.span())),
            _ => Err(self.mismatch(&visitor)),
        }
    }

    fn deserialize_struct<V: Visitor<'de>>(
        self,
        name: &'static str,
        fields: &'static [&'static str],
        visitor: V,
    ) -> Result<V::Value, ShapeError> {
        let entries = match &self.0.kind {
            Kind::Map(entries) => entries.as_slice(),
            // `expect:` with nothing after it: an empty map, as it reads.
            Kind::Null => &[],
            _ => return Err(self.mismatch(&visitor)),
        };
        let place = place(name);
        let mut known = Vec::new();
        for entry in entries {
            let key = entry.0.name.as_str();
            if fields.contains(&key) {
                known.push(entry);
            } else if key.starts_with("x-") && place.allows_x_keys {
                continue;
            } else {
                record(unknown_key(&entry.0, fields, place));
            }
        }
        visitor
            .visit_map(MapDe::new(known))
            .map_err(|e: ShapeError| e.within(place).at(self.span()))
    }

    fn deserialize_newtype_struct<V: Visitor<'de>>(
        self,
        name: &'static str,
        visitor: V,
    ) -> Result<V::Value, ShapeError> {
        match name {
            FIELD | SPANNED => visitor.visit_seq(SpanSeq {
                node: self.0,
                step: 0,
                propagate: name == SPANNED,
            }),
            NODE => {
                NODE_SLOT.with(|slot| *slot.borrow_mut() = Some(self.0.clone()));
                visitor.visit_unit()
            }
            _ => visitor.visit_newtype_struct(self),
        }
    }

    fn deserialize_ignored_any<V: Visitor<'de>>(self, visitor: V) -> Result<V::Value, ShapeError> {
        visitor.visit_unit()
    }

    fn deserialize_u32<V: Visitor<'de>>(self, visitor: V) -> Result<V::Value, ShapeError> {
        match &self.0.kind {
            Kind::Number(yaml::Number { json: n, .. }) => match n.parse::<u32>() {
                Ok(u) => visitor
                    .visit_u32(u)
                    .map_err(|e: ShapeError| e.at(self.span())),
                Err(_) => Err(self.not_a_whole_number()),
            },
            _ => Err(self.not_a_whole_number()),
        }
    }

    serde::forward_to_deserialize_any! {
        i8 i16 i32 i64 i128 u8 u16 u64 u128 f32 f64 char
        bytes byte_buf unit unit_struct tuple tuple_struct enum
    }
}

impl NodeDe<'_> {
    fn not_a_whole_number(&self) -> ShapeError {
        ShapeError::new(
            self.span(),
            ErrorKind::WrongShape {
                expected: "a whole number".into(),
                found: self.0.found(),
                key: None,
            },
        )
    }
}

fn unknown_key(key: &Key, fields: &'static [&'static str], place: &Place) -> ShapeError {
    ShapeError::new(
        key.span(),
        ErrorKind::UnknownKey {
            key: key.name.clone(),
            allowed: fields.to_vec(),
            within: place.within.into(),
            suggestion: did_you_mean(&key.name, fields),
            x_keys_allowed: place.allows_x_keys,
        },
    )
}

/// `Field` and `Spanned` read a node as `(line, column, end line, end column, value)`.
struct SpanSeq<'a> {
    node: &'a Node,
    step: u8,
    propagate: bool,
}

impl<'de> SeqAccess<'de> for SpanSeq<'_> {
    type Error = ShapeError;

    fn next_element_seed<T: DeserializeSeed<'de>>(
        &mut self,
        seed: T,
    ) -> Result<Option<T::Value>, ShapeError> {
        self.step += 1;
        match self.step {
            1 => seed
                .deserialize(self.node.pos.line.into_deserializer())
                .map(Some),
            2 => seed
                .deserialize(self.node.pos.column.into_deserializer())
                .map(Some),
            3 => seed
                .deserialize(self.node.end.line.into_deserializer())
                .map(Some),
            4 => seed
                .deserialize(self.node.end.column.into_deserializer())
                .map(Some),
            5 => match seed.deserialize(NodeDe(self.node)) {
                Ok(v) => Ok(Some(v)),
                Err(e) if self.propagate => Err(e.at(self.node.span())),
                Err(e) => {
                    record(e.at(self.node.span()));
                    Err(ShapeError::reported())
                }
            },
            _ => Ok(None),
        }
    }
}

struct SeqDe<'a>(std::slice::Iter<'a, Node>);

impl<'de> SeqAccess<'de> for SeqDe<'_> {
    type Error = ShapeError;

    fn next_element_seed<T: DeserializeSeed<'de>>(
        &mut self,
        seed: T,
    ) -> Result<Option<T::Value>, ShapeError> {
        match self.0.next() {
            Some(node) => seed
                .deserialize(NodeDe(node))
                .map(Some)
                .map_err(|e| e.at(node.span())),
            None => Ok(None),
        }
    }
}

struct MapDe<'a> {
    entries: std::vec::IntoIter<&'a (Key, Node)>,
    value: Option<&'a Node>,
}

impl<'a> MapDe<'a> {
    fn new(entries: Vec<&'a (Key, Node)>) -> Self {
        MapDe {
            entries: entries.into_iter(),
            value: None,
        }
    }
}

impl<'de> MapAccess<'de> for MapDe<'_> {
    type Error = ShapeError;

    fn next_key_seed<K: DeserializeSeed<'de>>(
        &mut self,
        seed: K,
    ) -> Result<Option<K::Value>, ShapeError> {
        let Some((key, value)) = self.entries.next() else {
            return Ok(None);
        };
        self.value = Some(value);
        let key_node = Node {
            pos: key.pos,
            end: key.end,
            kind: Kind::Str(key.name.clone()),
        };
        seed.deserialize(NodeDe(&key_node))
            .map(Some)
            .map_err(|e| e.at(key.span()))
    }

    fn next_value_seed<V: DeserializeSeed<'de>>(
        &mut self,
        seed: V,
    ) -> Result<V::Value, ShapeError> {
        match self.value.take() {
            Some(node) => seed
                .deserialize(NodeDe(node))
                .map_err(|e| e.at(node.span())),
            None => Err(de::Error::custom("a value without a key")),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::spec::raw;

    /// Where an unknown key in `T` is said to be: the place `T` declares.
    fn place_of<T: DeserializeOwned>() -> (String, bool) {
        let (root, _) = yaml::parse("zz-not-a-key: 1").unwrap();
        let (_, errors) = collecting(|| from_node::<T>(&root));
        match errors.first().map(|e| &e.kind) {
            Some(ErrorKind::UnknownKey {
                within,
                x_keys_allowed,
                ..
            }) => (within.to_string(), *x_keys_allowed),
            other => panic!("{other:?}"),
        }
    }

    #[test]
    fn every_raw_struct_declares_its_place() {
        assert_eq!(
            place_of::<raw::RawSuite>(),
            ("at the top level of a spec".to_string(), true)
        );
        assert_eq!(place_of::<raw::RawTest>(), ("in a test".to_string(), true));
        assert_eq!(
            place_of::<raw::RawOptions>(),
            ("in `defaults`".to_string(), false)
        );
        assert_eq!(
            place_of::<raw::RawExpect>(),
            ("in `expect`".to_string(), false)
        );
        assert_eq!(
            place_of::<raw::RawIdempotencyBlock>(),
            ("in `idempotency`".to_string(), false)
        );
        assert_eq!(
            place_of::<raw::RawReject>(),
            ("in `idempotency.reject`".to_string(), false)
        );
        assert_eq!(
            place_of::<raw::RawRetry>(),
            ("in `retry`".to_string(), false)
        );
        assert_eq!(
            place_of::<raw::RawGenerate>(),
            ("in `generate`".to_string(), false)
        );
        assert_eq!(
            place_of::<raw::RawCapture>(),
            ("in a capture".to_string(), false)
        );
        // `proxies` is read inside a test (its struct is private to `settings`).
        let (root, _) = yaml::parse("proxies: { zz-not-a-key: 1 }").unwrap();
        let (_, errors) = collecting(|| from_node::<raw::RawTest>(&root));
        assert!(
            matches!(
                errors.first().map(|e| &e.kind),
                Some(ErrorKind::UnknownKey { within, .. }) if &**within == "in `proxies`"
            ),
            "{errors:?}"
        );
    }

    #[test]
    fn x_keys_are_skipped_only_where_the_place_allows_them() {
        let (root, _) = yaml::parse("x-anchor: 1").unwrap();
        let (_, errors) = collecting(|| from_node::<raw::RawTest>(&root));
        assert!(errors.is_empty(), "{errors:?}");
        let (_, errors) = collecting(|| from_node::<raw::RawExpect>(&root));
        assert_eq!(errors.len(), 1);
    }
}
