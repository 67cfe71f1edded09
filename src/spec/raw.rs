//! The spec file exactly as written: serde types that mirror the YAML keys. Values whose
//! shape varies (`status: 200` or `[200, 201]`) stay `Spanned<Value>` here and are checked
//! in `convert`, so each shape error can point at its own line.

use std::fmt;
use std::marker::PhantomData;

use serde::de::{Deserializer, MapAccess, Visitor};
use serde::Deserialize;
use serde_json::Value;
use serde_saphyr::Spanned;

pub type SValue = Spanned<Value>;

/// A YAML mapping kept in source order, each key with its position.
#[derive(Debug)]
pub struct Entries<V>(pub Vec<(Spanned<String>, V)>);

impl<V> Default for Entries<V> {
    fn default() -> Self {
        Entries(Vec::new())
    }
}

impl<'de, V: Deserialize<'de>> Deserialize<'de> for Entries<V> {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        struct EntriesVisitor<V>(PhantomData<V>);
        impl<'de, V: Deserialize<'de>> Visitor<'de> for EntriesVisitor<V> {
            type Value = Entries<V>;
            fn expecting(&self, f: &mut fmt::Formatter) -> fmt::Result {
                f.write_str("a mapping")
            }
            fn visit_map<A: MapAccess<'de>>(self, mut map: A) -> Result<Self::Value, A::Error> {
                let mut entries = Vec::new();
                while let Some(key) = map.next_key()? {
                    entries.push((key, map.next_value()?));
                }
                Ok(Entries(entries))
            }
        }
        deserializer.deserialize_map(EntriesVisitor(PhantomData))
    }
}

/// Declares a struct holding the request options (the keyword arguments of
/// `requests.put`) plus `extra` fields, so `defaults` and a test share one list of keys.
macro_rules! with_request_options {
    ($(#[$meta:meta])* pub struct $name:ident { $($extra:tt)* }) => {
        $(#[$meta])*
        #[derive(Debug, Default, Deserialize)]
        #[serde(deny_unknown_fields)]
        pub struct $name {
            $($extra)*
            pub params: Option<Entries<SValue>>,
            pub headers: Option<Entries<SValue>>,
            pub cookies: Option<Entries<SValue>>,
            pub json: Option<SValue>,
            pub data: Option<SValue>,
            pub body_file: Option<Spanned<String>>,
            pub files: Option<Entries<SValue>>,
            pub auth: Option<SValue>,
            pub timeout: Option<SValue>,
            pub allow_redirects: Option<Spanned<bool>>,
            pub proxies: Option<SValue>,
            pub verify: Option<SValue>,
            pub cert: Option<SValue>,
        }
    };
}

with_request_options!(
    /// `defaults:`: request options merged into every test of the file.
    pub struct RawOptions {}
);

with_request_options!(
    /// One entry of `tests:` or `finally:`.
    pub struct RawTest {
        pub name: Option<Spanned<String>>,
        pub put: Option<Spanned<String>>,
        pub get: Option<Spanned<String>>,
        pub delete: Option<Spanned<String>>,
        pub post: Option<Spanned<String>>,
        pub patch: Option<Spanned<String>>,
        pub expect: Option<RawExpect>,
        pub idempotency: Option<Spanned<RawIdempotency>>,
        pub capture: Option<Entries<SValue>>,
        pub retry: Option<Spanned<RawRetry>>,
    }
);

impl RawTest {
    /// Moves the request options out, leaving the test's own keys.
    pub fn take_options(&mut self) -> RawOptions {
        RawOptions {
            params: self.params.take(),
            headers: self.headers.take(),
            cookies: self.cookies.take(),
            json: self.json.take(),
            data: self.data.take(),
            body_file: self.body_file.take(),
            files: self.files.take(),
            auth: self.auth.take(),
            timeout: self.timeout.take(),
            allow_redirects: self.allow_redirects.take(),
            proxies: self.proxies.take(),
            verify: self.verify.take(),
            cert: self.cert.take(),
        }
    }
}

#[derive(Debug, Default, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct RawSuite {
    pub name: Option<String>,
    pub base_url: Option<Spanned<String>>,
    pub vars: Option<Entries<SValue>>,
    pub secrets: Option<Vec<Spanned<String>>>,
    pub defaults: Option<RawOptions>,
    pub parallel: Option<bool>,
    pub tests: Option<Spanned<Vec<Spanned<RawTest>>>>,
    pub finally: Option<Vec<Spanned<RawTest>>>,
}

#[derive(Debug, Default, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct RawExpect {
    pub status: Option<SValue>,
    pub reason: Option<SValue>,
    pub headers: Option<Entries<SValue>>,
    pub json: Option<Entries<SValue>>,
    pub body: Option<SValue>,
    pub max_time: Option<SValue>,
    pub schema: Option<Spanned<String>>,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct RawRetry {
    pub count: u32,
    pub interval: Option<SValue>,
}

/// Keys of an `idempotency:` map (checked by hand: the value may also be a boolean).
pub const IDEMPOTENCY_KEYS: &[&str] = &[
    "repeat",
    "ignore",
    "headers",
    "readback",
    "concurrent",
    "server_fields",
    "created",
    "conditional",
    "reject",
];

/// `idempotency:` as written: `true`/`false`, or a map whose `reject` entry is a request
/// of its own (kept as typed raw options, so its errors point inside it).
#[derive(Debug)]
pub enum RawIdempotency {
    Flag(bool),
    Map(Vec<(Spanned<String>, RawIdempotencyValue)>),
}

#[derive(Debug)]
pub enum RawIdempotencyValue {
    Value(SValue),
    Reject(Box<Spanned<RawReject>>),
}

with_request_options!(
    /// `idempotency.reject`: request options overriding the test's, and what the refusal
    /// must look like.
    pub struct RawReject {
        pub expect: Option<RawExpect>,
    }
);

impl RawReject {
    pub fn take_options(&mut self) -> RawOptions {
        RawOptions {
            params: self.params.take(),
            headers: self.headers.take(),
            cookies: self.cookies.take(),
            json: self.json.take(),
            data: self.data.take(),
            body_file: self.body_file.take(),
            files: self.files.take(),
            auth: self.auth.take(),
            timeout: self.timeout.take(),
            allow_redirects: self.allow_redirects.take(),
            proxies: self.proxies.take(),
            verify: self.verify.take(),
            cert: self.cert.take(),
        }
    }
}

impl<'de> Deserialize<'de> for RawIdempotency {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        struct IdempotencyVisitor;
        impl<'de> Visitor<'de> for IdempotencyVisitor {
            type Value = RawIdempotency;
            fn expecting(&self, f: &mut fmt::Formatter) -> fmt::Result {
                f.write_str("`false`, `true`, or a map (")?;
                f.write_str(&IDEMPOTENCY_KEYS.join(", "))?;
                f.write_str(")")
            }
            fn visit_bool<E: serde::de::Error>(self, v: bool) -> Result<Self::Value, E> {
                Ok(RawIdempotency::Flag(v))
            }
            fn visit_map<A: MapAccess<'de>>(self, mut map: A) -> Result<Self::Value, A::Error> {
                let mut entries = Vec::new();
                while let Some(key) = map.next_key::<Spanned<String>>()? {
                    let value = if key.value == "reject" {
                        RawIdempotencyValue::Reject(Box::new(map.next_value()?))
                    } else {
                        RawIdempotencyValue::Value(map.next_value()?)
                    };
                    entries.push((key, value));
                }
                Ok(RawIdempotency::Map(entries))
            }
        }
        deserializer.deserialize_any(IdempotencyVisitor)
    }
}
