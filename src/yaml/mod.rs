//! A small YAML document tree with source positions, built from saphyr-parser events.
//!
//! Why our own tree instead of `saphyr::MarkedYaml`:
//! - aliases stay references (never copied), so an alias bomb costs nothing to hold, and its
//!   expanded size is computed while loading and refused above a limit;
//! - nesting depth is bounded while loading (no recursion anywhere in this module);
//! - the scanner of saphyr-parser 0.3 applies the block indentation check inside flow
//!   collections, where libyaml and go-yaml (and so GitHub, Gitea and Forgejo) do not. We
//!   repair that in this layer: see [`load`].

mod position;
mod value;

pub use position::{LineIndex, Pos, Span};
pub use value::Value;

use std::borrow::Cow;

use saphyr_parser::{Event, Parser, ScalarStyle, ScanError};

/// Index of a node in a [`Doc`].
pub type NodeId = u32;

/// Nodes nested deeper than this are refused.
pub const MAX_DEPTH: usize = 256;
/// Documents whose aliases would expand to more nodes than this are refused.
pub const MAX_EXPANDED_NODES: u64 = 1_000_000;
/// How many under-indented flow lines [`load`] re-indents before it gives up.
const MAX_FLOW_REPAIRS: usize = 256;
/// Each repair parses the whole text again: at most this many bytes are parsed in all.
const MAX_REPAIR_BYTES: usize = 32 * 1024 * 1024;
/// Scalar bytes that count as one node towards [`MAX_EXPANDED_NODES`].
const SCALAR_BYTES_PER_NODE: u64 = 64;

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Style {
    Plain,
    Quoted,
    Block,
}

#[derive(Debug, Clone)]
pub enum NodeKind<'t> {
    Scalar {
        /// Borrowed from the source text where the scanner allows it.
        value: Cow<'t, str>,
        style: Style,
        str_tag: bool,
    },
    Seq(Vec<NodeId>),
    Map(Vec<(NodeId, NodeId)>),
    /// An alias: the anchored node it names.
    Alias(NodeId),
}

#[derive(Debug, Clone)]
pub struct Node<'t> {
    pub kind: NodeKind<'t>,
    pub span: Span,
}

/// One YAML document.
#[derive(Debug, Default)]
pub struct Doc<'t> {
    nodes: Vec<Node<'t>>,
    root: Option<NodeId>,
}

/// Why a text could not be loaded.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct LoadError {
    pub message: String,
    pub pos: Pos,
}

impl<'t> Doc<'t> {
    /// The same document owning all its text.
    pub fn into_owned(self) -> Doc<'static> {
        let nodes = self
            .nodes
            .into_iter()
            .map(|n| Node {
                span: n.span,
                kind: match n.kind {
                    NodeKind::Scalar {
                        value,
                        style,
                        str_tag,
                    } => NodeKind::Scalar {
                        value: Cow::Owned(value.into_owned()),
                        style,
                        str_tag,
                    },
                    NodeKind::Seq(items) => NodeKind::Seq(items),
                    NodeKind::Map(entries) => NodeKind::Map(entries),
                    NodeKind::Alias(target) => NodeKind::Alias(target),
                },
            })
            .collect();
        Doc {
            nodes,
            root: self.root,
        }
    }

    /// Every node in the order it was read.
    pub fn nodes(&self) -> &[Node<'t>] {
        &self.nodes
    }

    pub fn root(&self) -> Option<NodeId> {
        self.root
    }

    /// The node, with an alias followed to its anchor.
    pub fn node(&self, id: NodeId) -> &Node<'t> {
        let n = &self.nodes[id as usize];
        match n.kind {
            // Anchors always precede their aliases and never are aliases themselves.
            NodeKind::Alias(target) => &self.nodes[target as usize],
            _ => n,
        }
    }

    /// The node's own span (for an alias: where the alias is written).
    pub fn span(&self, id: NodeId) -> Span {
        self.nodes[id as usize].span
    }

    pub fn as_map(&self, id: NodeId) -> Option<&[(NodeId, NodeId)]> {
        match &self.node(id).kind {
            NodeKind::Map(entries) => Some(entries),
            _ => None,
        }
    }

    pub fn as_seq(&self, id: NodeId) -> Option<&[NodeId]> {
        match &self.node(id).kind {
            NodeKind::Seq(items) => Some(items),
            _ => None,
        }
    }

    /// The text of a scalar node (any style), `None` for collections.
    pub fn as_str(&self, id: NodeId) -> Option<&str> {
        match &self.node(id).kind {
            NodeKind::Scalar { value, .. } => Some(value),
            _ => None,
        }
    }

    /// True for a plain scalar that the core schema reads as null (`~`, `null`, empty).
    pub fn is_null(&self, id: NodeId) -> bool {
        matches!(self.value_shallow(id), Some(Value::Null))
    }

    /// Look up `key` in a mapping node.
    pub fn get(&self, map: NodeId, key: &str) -> Option<NodeId> {
        self.get_entry(map, key).map(|(_, v)| v)
    }

    /// Look up `key` in a mapping node, returning the key node too.
    pub fn get_entry(&self, map: NodeId, key: &str) -> Option<(NodeId, NodeId)> {
        self.as_map(map)?
            .iter()
            .copied()
            .find(|(k, _)| self.as_str(*k) == Some(key))
    }

    /// A scalar typed by the YAML 1.2 core schema; `None` for collections.
    pub fn value_shallow(&self, id: NodeId) -> Option<Value> {
        match &self.node(id).kind {
            NodeKind::Scalar {
                value,
                style,
                str_tag,
            } => Some(if *style == Style::Plain && !*str_tag {
                Value::from_plain(value)
            } else {
                Value::Str(value.to_string())
            }),
            _ => None,
        }
    }

    /// The node as a [`Value`], aliases expanded. Loading already bounded depth and expanded
    /// size, so this terminates and stays within [`MAX_EXPANDED_NODES`]; it is iterative.
    pub fn to_value(&self, id: NodeId) -> Value {
        enum Frame {
            Seq(Vec<Value>, std::vec::IntoIter<NodeId>),
            Map(
                Vec<(String, Value)>,
                std::vec::IntoIter<(NodeId, NodeId)>,
                Option<String>,
            ),
        }
        let start = |node: NodeId| -> Result<Value, Frame> {
            match &self.node(node).kind {
                NodeKind::Seq(items) => Err(Frame::Seq(Vec::new(), items.clone().into_iter())),
                NodeKind::Map(entries) => {
                    Err(Frame::Map(Vec::new(), entries.clone().into_iter(), None))
                }
                _ => Ok(self.value_shallow(node).unwrap_or(Value::Null)),
            }
        };
        let mut stack: Vec<Frame> = Vec::new();
        let mut done = match start(id) {
            Ok(v) => return v,
            Err(frame) => {
                stack.push(frame);
                None
            }
        };
        loop {
            let Some(top) = stack.last_mut() else {
                return done.unwrap_or(Value::Null);
            };
            if let Some(v) = done.take() {
                match top {
                    Frame::Seq(out, _) => out.push(v),
                    Frame::Map(out, _, key) => {
                        let k = key.take().unwrap_or_default();
                        out.push((k, v));
                    }
                }
            }
            let next = match top {
                Frame::Seq(_, it) => it.next(),
                Frame::Map(_, it, key) => it.next().map(|(k, v)| {
                    *key = Some(self.key_text(k));
                    v
                }),
            };
            match next {
                Some(child) => match start(child) {
                    Ok(v) => done = Some(v),
                    Err(frame) => stack.push(frame),
                },
                None => {
                    let finished = stack.pop();
                    done = Some(match finished {
                        Some(Frame::Seq(out, _)) => Value::Seq(out),
                        Some(Frame::Map(out, _, _)) => Value::Map(out),
                        None => Value::Null,
                    });
                }
            }
        }
    }

    /// A mapping key as text (collections as keys are rendered as a placeholder).
    pub fn key_text(&self, id: NodeId) -> String {
        self.as_str(id)
            .map(str::to_owned)
            .unwrap_or_else(|| "<complex key>".to_owned())
    }
}

struct Open {
    id: NodeId,
    /// Column of the opening `[` / `{` for a flow collection.
    flow_col: Option<u32>,
    /// Key of a map waiting for its value.
    pending_key: Option<NodeId>,
    /// Anchor id of this collection (0: none).
    anchor: usize,
    /// Nodes this collection expands to, aliases counted at their full size.
    size: u64,
}

enum BuildError {
    Scan(ScanError, Option<u32>),
    Limit(LoadError),
}

/// Load every document of a YAML stream.
///
/// saphyr-parser 0.3 refuses a line inside a flow collection that is indented less than the
/// enclosing block (numpy's `linux_simd.yml` closes a flow sequence with `]` at its parent's
/// indentation); YAML 1.2 §7 does not require more, and libyaml/go-yaml accept it. When the
/// scanner reports "invalid indentation" while the innermost open collection is a flow
/// collection, we re-indent that one line to the column of the collection's opening bracket
/// (whitespace at the start of a line inside a flow collection carries no meaning) and parse
/// again. Positions are shifted back, so every span still points into `text`.
pub fn load(text: &str) -> Result<Vec<Doc<'_>>, LoadError> {
    // A lone `\r` breaks a line in YAML. The parser knows; the repairs below look for `\n`:
    // they read a copy with LF there (same length, so every position holds).
    if let Some(lf) = lone_cr_as_lf(text) {
        return load_lf(&lf).map(|docs| docs.into_iter().map(Doc::into_owned).collect());
    }
    load_lf(text)
}

/// `text` with each lone `\r` (not followed by `\n`) replaced by `\n`; `None` if it has none.
pub fn lone_cr_as_lf(text: &str) -> Option<String> {
    let bytes = text.as_bytes();
    let lone = |i: usize| bytes.get(i + 1) != Some(&b'\n');
    if !memchr::memchr_iter(b'\r', bytes).any(lone) {
        return None;
    }
    let mut out = String::with_capacity(text.len());
    let mut copied = 0;
    for i in memchr::memchr_iter(b'\r', bytes) {
        if lone(i) {
            out.push_str(&text[copied..i]);
            out.push('\n');
            copied = i + 1;
        }
    }
    out.push_str(&text[copied..]);
    Some(out)
}

fn load_lf(text: &str) -> Result<Vec<Doc<'_>>, LoadError> {
    let mut index: Option<LineIndex> = None;
    let mut shifts: Vec<u32> = Vec::new();
    let mut repaired: Option<String> = None;
    let mut first_error: Option<LoadError> = None;
    let max_repairs = MAX_FLOW_REPAIRS.min(MAX_REPAIR_BYTES / text.len().max(1));
    for _ in 0..=max_repairs {
        let built = match &repaired {
            // The repaired text is ours alone: its documents own their strings.
            Some(r) => {
                build(r, &shifts).map(|docs| docs.into_iter().map(Doc::into_owned).collect())
            }
            None => build(text, &shifts),
        };
        match built {
            Ok(docs) => return Ok(docs),
            Err(BuildError::Limit(e)) => return Err(first_error.unwrap_or(e)),
            Err(BuildError::Scan(err, flow_col)) => {
                let mark = err.marker();
                let line = mark.line();
                let shifted = shift_of(&shifts, line);
                let error = LoadError {
                    message: err.info().to_owned(),
                    pos: Pos::new(line, (mark.col() as u32).saturating_sub(shifted)),
                };
                let first = first_error.get_or_insert(error).clone();
                let repairable = matches!(
                    err.info(),
                    "invalid indentation" | "invalid indentation in flow construct"
                );
                let Some(open_col) = flow_col.filter(|_| repairable) else {
                    return Err(first);
                };
                let need = open_col.saturating_sub(mark.col() as u32);
                let index = index.get_or_insert_with(|| LineIndex::new(text));
                if need == 0 || line == 0 || line > index.line_count() {
                    return Err(first);
                }
                if shifts.len() < line + 1 {
                    shifts.resize(line + 1, 0);
                }
                shifts[line] += need;
                repaired = Some(apply_shifts(text, index, &shifts));
            }
        }
    }
    Err(first_error.unwrap_or(LoadError {
        message: "could not parse".to_owned(),
        pos: Pos::new(1, 0),
    }))
}

fn shift_of(shifts: &[u32], line: usize) -> u32 {
    shifts.get(line).copied().unwrap_or(0)
}

fn apply_shifts(text: &str, index: &LineIndex, shifts: &[u32]) -> String {
    let extra: u32 = shifts.iter().sum();
    let mut out = String::with_capacity(text.len() + extra as usize);
    for line in 1..=index.line_count() {
        for _ in 0..shift_of(shifts, line) {
            out.push(' ');
        }
        out.push_str(index.line_with_break(text, line));
    }
    out
}

fn build<'t>(text: &'t str, shifts: &[u32]) -> Result<Vec<Doc<'t>>, BuildError> {
    let mut parser = Parser::new_from_str(text);
    let mut chars = CharCursor::new(text);
    let mut docs = Vec::new();
    let mut doc = Doc::default();
    let mut doc_open = false;
    let mut stack: Vec<Open> = Vec::new();
    // anchor id → (node, expanded size); an anchor is usable once its node is complete.
    let mut anchors: Vec<Option<(NodeId, u64)>> = Vec::new();
    // Where the last event ended (char index): the scanner may hold tokens past it.
    let mut last_end = 0usize;
    // The earliest duplicate mapping key of the open document, and scratch space to find it.
    let mut duplicate: Option<(Pos, String)> = None;
    let mut keys: Vec<NodeId> = Vec::new();
    let pos = |m: &saphyr_parser::Marker| {
        let line = m.line();
        Pos::new(
            line,
            (m.col() as u32).saturating_sub(shift_of(shifts, line)),
        )
    };
    while let Some(next) = parser.next_event() {
        let (event, span) = match next {
            Ok(x) => x,
            Err(e) => {
                // The scanner looks ahead (a flow collection may be a key), so the collection
                // being scanned may not have been reported yet: look at the text in between.
                let flow_col = unclosed_flow_col(text, last_end, e.marker().index())
                    .or_else(|| stack.last().and_then(|o| o.flow_col));
                return Err(BuildError::Scan(e, flow_col));
            }
        };
        last_end = span.end.index();
        let sp = Span::new(pos(&span.start), pos(&span.end));
        match event {
            Event::StreamStart | Event::Nothing => {}
            Event::StreamEnd => break,
            Event::DocumentStart(_) => {
                doc = Doc::default();
                doc_open = true;
                stack.clear();
            }
            Event::DocumentEnd => {
                if doc_open {
                    if let Some((at, message)) = duplicate.take() {
                        return Err(limit(&message, at));
                    }
                    docs.push(std::mem::take(&mut doc));
                    doc_open = false;
                }
            }
            Event::Alias(anchor_id) => {
                let Some(Some((target, size))) = anchors.get(anchor_id).copied() else {
                    return Err(limit("alias to an unknown anchor", sp.start));
                };
                let id = push_node(&mut doc, NodeKind::Alias(target), sp)?;
                attach(&mut doc, &mut stack, id, size)?;
            }
            Event::Scalar(value, style, anchor_id, tag) => {
                let str_tag = tag.as_ref().is_some_and(|t| {
                    t.suffix == "str" && (t.handle == "tag:yaml.org,2002:" || t.handle == "!!")
                });
                let style = match style {
                    ScalarStyle::Plain => Style::Plain,
                    ScalarStyle::SingleQuoted | ScalarStyle::DoubleQuoted => Style::Quoted,
                    ScalarStyle::Literal | ScalarStyle::Folded => Style::Block,
                };
                // A long scalar counts for more than one node: aliases of a large scalar
                // multiply bytes, not nodes.
                let size = 1 + value.len() as u64 / SCALAR_BYTES_PER_NODE;
                let kind = NodeKind::Scalar {
                    value,
                    style,
                    str_tag,
                };
                let id = push_node(&mut doc, kind, sp)?;
                set_anchor(&mut anchors, anchor_id, id, size);
                attach(&mut doc, &mut stack, id, size)?;
            }
            Event::SequenceStart(anchor_id, _) | Event::MappingStart(anchor_id, _) => {
                if stack.len() >= MAX_DEPTH {
                    return Err(limit(
                        &format!("nesting deeper than {MAX_DEPTH} levels"),
                        sp.start,
                    ));
                }
                let kind = if matches!(event, Event::SequenceStart(..)) {
                    NodeKind::Seq(Vec::new())
                } else {
                    NodeKind::Map(Vec::new())
                };
                let opener = chars.at(span.start.index());
                let flow_col = matches!(opener, Some('[' | '{')).then_some(span.start.col() as u32);
                let id = push_node(&mut doc, kind, sp)?;
                stack.push(Open {
                    id,
                    flow_col,
                    pending_key: None,
                    anchor: anchor_id,
                    size: 1,
                });
            }
            Event::SequenceEnd | Event::MappingEnd => {
                let Some(open) = stack.pop() else {
                    continue;
                };
                if let Some(n) = doc.nodes.get_mut(open.id as usize) {
                    n.span.end = sp.end;
                }
                // Checked while its entries are at hand; the earliest duplicate is reported.
                if matches!(event, Event::MappingEnd)
                    && let Some((at, message)) = duplicate_key(&doc, open.id, &mut keys)
                    && duplicate.as_ref().is_none_or(|(seen, _)| at < *seen)
                {
                    duplicate = Some((at, message));
                }
                set_anchor(&mut anchors, open.anchor, open.id, open.size);
                attach(&mut doc, &mut stack, open.id, open.size)?;
            }
        }
    }
    if doc_open {
        if let Some((at, message)) = duplicate.take() {
            return Err(limit(&message, at));
        }
        docs.push(doc);
    }
    Ok(docs)
}

/// A mapping with the same key twice is refused by GitHub and by go-yaml (Gitea, Forgejo):
/// the workflow does not run. The error points at the second key of `map`, if it has one.
/// Merge keys (`<<`) and keys that are not scalars are not compared. `keys` is scratch space.
fn duplicate_key(doc: &Doc<'_>, map: NodeId, keys: &mut Vec<NodeId>) -> Option<(Pos, String)> {
    let NodeKind::Map(entries) = &doc.nodes.get(map as usize)?.kind else {
        return None;
    };
    let text = |id: NodeId| match doc.nodes.get(id as usize) {
        Some(Node {
            kind: NodeKind::Scalar { value, .. },
            ..
        }) if value != "<<" => Some(value.as_ref()),
        _ => None,
    };
    keys.clear();
    keys.extend(
        entries
            .iter()
            .map(|(k, _)| *k)
            .filter(|k| text(*k).is_some()),
    );
    // The first key seen before: (its node, the earlier node).
    let (second, first) = if keys.len() <= 16 {
        // Most mappings are small: comparing pairs beats hashing.
        keys.iter().enumerate().find_map(|(i, id)| {
            let k = text(*id);
            keys[..i]
                .iter()
                .find(|x| text(**x) == k)
                .map(|first| (*id, *first))
        })?
    } else {
        // Sorted by key then place: each run of one key is in document order, and the
        // duplicate that comes first in the document is the one reported.
        keys.sort_unstable_by(|a, b| text(*a).cmp(&text(*b)).then(a.cmp(b)));
        keys.windows(2)
            .filter(|w| text(w[0]) == text(w[1]))
            .map(|w| (w[1], w[0]))
            .min_by_key(|(second, _)| *second)?
    };
    let at = |id: NodeId| doc.nodes.get(id as usize).map(|n| n.span.start);
    let first_line = at(first).map_or(0, |p| p.line);
    Some((
        at(second).unwrap_or_default(),
        format!(
            "duplicate key `{}` (first at line {first_line}): the forge refuses a mapping \
             with a key twice, so this workflow does not run",
            text(second).unwrap_or_default()
        ),
    ))
}

/// Column of the innermost `[` or `{` opened and not closed between two char indexes of
/// `text`, skipping quoted scalars and comments. Brackets count only where a node can start.
fn unclosed_flow_col(text: &str, from: usize, to: usize) -> Option<u32> {
    let start = text.char_indices().nth(from).map_or(text.len(), |(b, _)| b);
    let mut open: Vec<usize> = Vec::new();
    let mut quote: Option<char> = None;
    let mut comment = false;
    let mut node_start = true;
    let mut prev = ' ';
    let mut chars = text[start..]
        .char_indices()
        .take(to.saturating_sub(from))
        .peekable();
    while let Some((i, c)) = chars.next() {
        let at = start + i;
        if comment {
            if c == '\n' {
                comment = false;
                node_start = true;
            }
            prev = c;
            continue;
        }
        if let Some(q) = quote {
            if q == '"' && c == '\\' {
                chars.next();
            } else if c == q {
                if q == '\'' && chars.peek().is_some_and(|(_, n)| *n == '\'') {
                    chars.next();
                } else {
                    quote = None;
                }
            }
            prev = c;
            continue;
        }
        match c {
            '#' if prev.is_whitespace() => comment = true,
            '"' | '\'' if node_start => quote = Some(c),
            '[' | '{' if node_start => open.push(at),
            ']' | '}' => {
                open.pop();
            }
            _ => {}
        }
        if !c.is_whitespace() {
            node_start = matches!(c, '[' | '{' | ',' | ':' | '-' | '?');
        } else if c == '\n' {
            node_start = true;
        }
        prev = c;
    }
    let at = *open.last()?;
    let line_start = text[..at].rfind('\n').map_or(0, |i| i + 1);
    u32::try_from(text[line_start..at].chars().count()).ok()
}

fn limit(message: &str, pos: Pos) -> BuildError {
    BuildError::Limit(LoadError {
        message: message.to_owned(),
        pos,
    })
}

fn set_anchor(anchors: &mut Vec<Option<(NodeId, u64)>>, anchor: usize, id: NodeId, size: u64) {
    if anchor == 0 {
        return;
    }
    if anchors.len() <= anchor {
        anchors.resize(anchor + 1, None);
    }
    anchors[anchor] = Some((id, size));
}

/// Finds the character at a char index (what markers count), moving forward from the last
/// look-up: collection starts arrive in document order, so the whole parse walks the text once.
struct CharCursor<'t> {
    text: &'t str,
    ascii: bool,
    char_idx: usize,
    byte_idx: usize,
}

impl<'t> CharCursor<'t> {
    fn new(text: &'t str) -> Self {
        CharCursor {
            text,
            ascii: text.is_ascii(),
            char_idx: 0,
            byte_idx: 0,
        }
    }

    fn at(&mut self, idx: usize) -> Option<char> {
        if self.ascii {
            return self.text.as_bytes().get(idx).map(|b| *b as char);
        }
        if idx < self.char_idx {
            self.char_idx = 0;
            self.byte_idx = 0;
        }
        let mut rest = self.text.get(self.byte_idx..)?.char_indices();
        for _ in self.char_idx..idx {
            rest.next()?;
        }
        let (offset, c) = rest.next()?;
        self.byte_idx += offset;
        self.char_idx = idx;
        Some(c)
    }
}

fn push_node<'t>(doc: &mut Doc<'t>, kind: NodeKind<'t>, span: Span) -> Result<NodeId, BuildError> {
    let id =
        u32::try_from(doc.nodes.len()).map_err(|_| limit("too many YAML nodes", span.start))?;
    doc.nodes.push(Node { kind, span });
    Ok(id)
}

/// Attach a finished node to its parent, or make it the document's root.
fn attach(doc: &mut Doc<'_>, stack: &mut [Open], id: NodeId, size: u64) -> Result<(), BuildError> {
    let Some(parent) = stack.last_mut() else {
        doc.root = Some(id);
        return Ok(());
    };
    parent.size = parent.size.saturating_add(size);
    if parent.size > MAX_EXPANDED_NODES {
        let at = doc.nodes[id as usize].span.start;
        return Err(limit(
            &format!("aliases expand to more than {MAX_EXPANDED_NODES} nodes (an alias bomb?)"),
            at,
        ));
    }
    match &mut doc.nodes[parent.id as usize].kind {
        NodeKind::Seq(items) => items.push(id),
        NodeKind::Map(entries) => match parent.pending_key.take() {
            None => parent.pending_key = Some(id),
            Some(key) => entries.push((key, id)),
        },
        NodeKind::Scalar { .. } | NodeKind::Alias(_) => {}
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn only(text: &str) -> Doc<'_> {
        match load(text) {
            Ok(mut docs) if docs.len() == 1 => docs.remove(0),
            other => panic!("{other:?}"),
        }
    }

    #[test]
    fn duplicate_keys_small_and_large_mappings() {
        let error = |text: &str| match load(text) {
            Err(e) => (e.pos.line, e.message),
            Ok(_) => (0, "loaded".to_owned()),
        };
        // Small: the second `a` (line 3), the first at line 1; `<<` may repeat.
        let (line, message) = error("a: 1\nb: 2\na: 3\n<<: {}\n<<: {}\n");
        assert_eq!(line, 3);
        assert!(
            message.starts_with("duplicate key `a` (first at line 1)"),
            "{message}"
        );
        // Large (sorted path): k2 repeats on line 36, k5 on line 31; 31 comes first.
        let mut text: String = (0..30).map(|i| format!("k{i}: {i}\n")).collect();
        text.push_str("k5: again\n");
        text.push_str("x1: 1\nx2: 2\nx3: 3\nx4: 4\n");
        text.push_str("k2: again\nk5: thrice\n");
        let (line, message) = error(&text);
        assert_eq!(line, 31);
        assert!(
            message.starts_with("duplicate key `k5` (first at line 6)"),
            "{message}"
        );
        let unique: String = (0..40).map(|i| format!("k{i}: {i}\n")).collect();
        assert!(load(&unique).is_ok());
    }

    #[test]
    fn flow_sequence_closed_at_parent_indentation() {
        // The shape of numpy's linux_simd.yml: `]` at the block sequence's own column.
        let text = "m:\n  - [\n    \"a\",\n    \"b\"\n  ]\n  - [\n  \"c\"\n  ]\nnext: 1\n";
        let doc = only(text);
        let root = doc.root().unwrap_or_default();
        let m = doc.get(root, "m").unwrap_or_default();
        let legs = doc.to_value(m);
        let strs = |xs: &[&str]| Value::Seq(xs.iter().map(|x| Value::Str((*x).into())).collect());
        assert_eq!(legs, Value::Seq(vec![strs(&["a", "b"]), strs(&["c"])]));
        // Positions point into the original text, not the re-indented one.
        let c = doc
            .as_seq(m)
            .and_then(|s| s.get(1))
            .and_then(|s| doc.as_seq(*s))
            .and_then(|s| s.first().copied());
        let span = doc.span(c.unwrap_or_default());
        assert_eq!(span.start, Pos::new(7, 2));
        let index = LineIndex::new(text);
        assert_eq!(
            &text[index.offset(text, span.start)..index.offset(text, span.end)],
            "\"c\""
        );
        assert_eq!(doc.get(root, "next").and_then(|n| doc.as_str(n)), Some("1"));
    }

    #[test]
    fn block_indentation_errors_are_not_repaired() {
        let err = load("a:\n  b: 1\n c: 2\n").err();
        assert!(err.is_some());
    }

    #[test]
    fn aliases_are_shared_not_copied() {
        let doc = only("a: &x [1, 2]\nb: *x\n");
        let root = doc.root().unwrap_or_default();
        let b = doc.get(root, "b").unwrap_or_default();
        assert_eq!(
            doc.to_value(b),
            Value::Seq(vec![Value::Int(1), Value::Int(2)])
        );
        // map, a, [, 1, 2, b, and the alias: the list is not copied.
        assert_eq!(doc.nodes().len(), 7);
    }

    #[test]
    fn limits() {
        let deep = format!("{}{}", "[".repeat(300), "]".repeat(300));
        assert!(load(&deep).is_err());
        let mut bomb = String::from("a: &a [x,x,x,x,x,x,x,x,x,x]\n");
        for (prev, name) in ["a", "b", "c", "d", "e", "f"]
            .iter()
            .zip(["b", "c", "d", "e", "f", "g"])
        {
            bomb.push_str(&format!(
                "{name}: &{name} [{}]\n",
                vec![format!("*{prev}"); 10].join(",")
            ));
        }
        let err = load(&bomb).err().map(|e| e.message).unwrap_or_default();
        assert!(err.contains("alias bomb"), "{err}");
    }

    #[test]
    fn multi_document_and_empty_streams() {
        assert_eq!(load("a: 1\n---\nb: 2\n").map(|d| d.len()), Ok(2));
        assert_eq!(load("").map(|d| d.len()), Ok(0));
        assert_eq!(load("# just a comment\n").map(|d| d.len()), Ok(0));
    }

    #[test]
    fn non_ascii_positions() {
        let text = "é: [\"ü\",\n \"x\"]\n";
        let doc = only(text);
        let root = doc.root().unwrap_or_default();
        let seq = doc.get(root, "é").unwrap_or_default();
        let x = doc
            .as_seq(seq)
            .and_then(|s| s.get(1).copied())
            .unwrap_or_default();
        let index = LineIndex::new(text);
        let span = doc.span(x);
        assert_eq!(
            &text[index.offset(text, span.start)..index.offset(text, span.end)],
            "\"x\""
        );
    }
}
