//! The canonical JSON form that signatures cover: UTF-8, object keys sorted (by
//! their UTF-8 bytes) at every level, no insignificant whitespace, strings and
//! numbers escaped and printed as serde_json prints them.
//!
//! An auditor can reproduce it for ordinary records with
//! `jq -cjS 'del(.sig)'` (see the README, "Verifying a record by hand", for the caveats).

use serde_json::Value;

/// The canonical text of a JSON value.
pub fn canonical_json(value: &Value) -> String {
    let mut out = String::new();
    write_value(value, &mut out);
    out
}

fn write_value(value: &Value, out: &mut String) {
    match value {
        Value::Object(map) => {
            let mut keys: Vec<&String> = map.keys().collect();
            keys.sort();
            out.push('{');
            for (i, k) in keys.iter().enumerate() {
                if i > 0 {
                    out.push(',');
                }
                out.push_str(&serde_json::to_string(k).expect("strings serialize"));
                out.push(':');
                write_value(&map[k.as_str()], out);
            }
            out.push('}');
        }
        Value::Array(items) => {
            out.push('[');
            for (i, v) in items.iter().enumerate() {
                if i > 0 {
                    out.push(',');
                }
                write_value(v, out);
            }
            out.push(']');
        }
        other => out.push_str(&serde_json::to_string(other).expect("scalars serialize")),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn keys_are_sorted_at_every_level_without_whitespace() {
        let v = json!({"b": 1, "a": {"z": [1, {"y": 2, "x": "é\n\""}], "c": null}});
        assert_eq!(
            canonical_json(&v),
            r#"{"a":{"c":null,"z":[1,{"x":"é\n\"","y":2}]},"b":1}"#
        );
    }

    #[test]
    fn sorting_is_by_bytes() {
        let v = json!({"a": 1, "B": 2, "é": 3, "z": 4});
        assert_eq!(canonical_json(&v), r#"{"B":2,"a":1,"z":4,"é":3}"#);
    }
}
