//! `POST /orders` with an `Idempotency-Key` (IETF draft-ietf-httpapi-idempotency-key-header):
//! the first request with a key creates an order; a repeat with the same key and body
//! replays the first answer; the same key with another body is refused with 422.
//! `POST /orders-unkeyed` ignores the key, so every send creates a new order.

use std::collections::HashMap;
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::{Mutex, PoisonError};

use serde_json::{json, Value};

use super::{Reply, Req};

#[derive(Default)]
pub(super) struct Orders {
    next_id: AtomicU64,
    /// Idempotency-Key → (the request body, the answer given).
    by_key: Mutex<HashMap<String, (Vec<u8>, Value)>>,
}

pub(super) fn post(orders: &Orders, req: &Req, honour_key: bool) -> Result<Reply, Reply> {
    let order: Value = match serde_json::from_slice(&req.body) {
        Ok(v @ Value::Object(_)) => v,
        Ok(_) => return Err(Reply::error(400, "body must be a JSON object")),
        Err(e) => return Err(Reply::error(400, format!("body is not valid JSON: {e}"))),
    };
    let create = || {
        let id = orders.next_id.fetch_add(1, Ordering::Relaxed) + 1;
        json!({ "id": format!("order-{id}"), "order": order })
    };
    if !honour_key {
        return Ok(Reply::json(201, create()));
    }
    let Some(key) = req.header("Idempotency-Key") else {
        return Err(Reply::error(400, "an Idempotency-Key header is required"));
    };
    let mut by_key = orders.by_key.lock().unwrap_or_else(PoisonError::into_inner);
    match by_key.get(key) {
        Some((body, answer)) if *body == req.body => Ok(Reply::json(201, answer.clone())),
        Some(_) => Err(Reply::error(
            422,
            "this Idempotency-Key was used with another request body",
        )),
        None => {
            let answer = create();
            by_key.insert(key.to_string(), (req.body.clone(), answer.clone()));
            Ok(Reply::json(201, answer))
        }
    }
}
