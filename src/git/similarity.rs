//! The similarity of a renamed file as git computes it (diffcore-delta's span
//! hashes), so the `similarity index N%` line of our patch text, and with it the
//! verbatim patch-id, is the one `git diff` prints. libgit2's own metric
//! differs by a point or two.

use std::collections::HashMap;

const HASHBASE: u32 = 107_927;
const MAX_SCORE: u64 = 60_000;

/// Byte counts per span hash: spans end at a newline or after 64 bytes.
fn span_hashes(data: &[u8]) -> HashMap<u32, u64> {
    let is_text = !data[..data.len().min(8000)].contains(&0);
    let mut out: HashMap<u32, u64> = HashMap::new();
    let (mut accum1, mut accum2, mut n) = (0u32, 0u32, 0u64);
    let mut i = 0;
    while i < data.len() {
        let c = u32::from(data[i]);
        i += 1;
        if is_text && c == u32::from(b'\r') && data.get(i) == Some(&b'\n') {
            continue;
        }
        let old_1 = accum1;
        accum1 = (accum1 << 7) ^ (accum2 >> 25);
        accum2 = (accum2 << 7) ^ (old_1 >> 25);
        accum1 = accum1.wrapping_add(c);
        n += 1;
        if n < 64 && c != u32::from(b'\n') {
            continue;
        }
        let h = accum1.wrapping_add(accum2.wrapping_mul(0x61)) % HASHBASE;
        *out.entry(h).or_default() += n;
        n = 0;
        accum1 = 0;
        accum2 = 0;
    }
    if n > 0 {
        let h = accum1.wrapping_add(accum2.wrapping_mul(0x61)) % HASHBASE;
        *out.entry(h).or_default() += n;
    }
    out
}

/// git's similarity index in percent of `src` renamed to `dst`.
pub fn similarity_percent(src: &[u8], dst: &[u8]) -> u32 {
    if src == dst {
        return 100;
    }
    let max_size = src.len().max(dst.len()) as u64;
    if max_size == 0 || dst.is_empty() {
        return 0;
    }
    let s = span_hashes(src);
    let d = span_hashes(dst);
    let copied: u64 = s
        .iter()
        .map(|(h, sc)| (*sc).min(d.get(h).copied().unwrap_or(0)))
        .sum();
    let score = copied * MAX_SCORE / max_size;
    (score * 100 / MAX_SCORE) as u32
}
