//! The engine on hand-made diffs and real repositories: repository rules,
//! silences, broken rules files, blast radius from history and references.
