//! Moving a cursor through a list: the shared meaning of the movement commands.

use super::commands::Cmd;

/// Where `cmd` moves a cursor at `cur` in a list of `len` items with `page`
/// visible rows; `None` when `cmd` is not a movement.
pub fn moved(cur: usize, len: usize, cmd: Cmd, page: usize) -> Option<usize> {
    let last = len.saturating_sub(1);
    let half = (page / 2).max(1);
    let page = page.max(1);
    Some(match cmd {
        Cmd::Down => (cur + 1).min(last),
        Cmd::Up => cur.saturating_sub(1),
        Cmd::HalfDown => (cur + half).min(last),
        Cmd::HalfUp => cur.saturating_sub(half),
        Cmd::PageDown => (cur + page).min(last),
        Cmd::PageUp => cur.saturating_sub(page),
        Cmd::Top => 0,
        Cmd::Bottom => last,
        _ => return None,
    })
}

/// The first visible row so that `cursor` is in a window of `height` rows that
/// started at `top`.
pub fn keep_visible(top: usize, cursor: usize, height: usize) -> usize {
    let height = height.max(1);
    if cursor < top {
        cursor
    } else if cursor >= top + height {
        cursor + 1 - height
    } else {
        top
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn moves_and_clamps() {
        assert_eq!(moved(0, 10, Cmd::Up, 4), Some(0));
        assert_eq!(moved(9, 10, Cmd::Down, 4), Some(9));
        assert_eq!(moved(0, 10, Cmd::HalfDown, 4), Some(2));
        assert_eq!(moved(3, 10, Cmd::Bottom, 4), Some(9));
        assert_eq!(moved(3, 0, Cmd::Bottom, 4), Some(0));
        assert_eq!(moved(3, 10, Cmd::Open, 4), None);
        assert_eq!(keep_visible(0, 12, 10), 3);
        assert_eq!(keep_visible(5, 2, 10), 2);
    }
}
