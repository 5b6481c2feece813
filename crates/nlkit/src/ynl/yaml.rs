//! A small typed reader over `saphyr`'s marked YAML tree: every value read
//! knows its line, every type mismatch becomes a [`SpecError`] naming the
//! file, the line, the object and the key, and keys nobody asked for are
//! reported as warnings instead of being dropped silently.

use super::SpecError;
use saphyr::{AnnotatedMapping, MarkedYaml, Scalar, YamlData};
use std::cell::RefCell;

/// Where errors and warnings go: the file name and the warnings so far.
pub(super) struct Cx<'f> {
    pub file: &'f str,
    pub warnings: RefCell<Vec<SpecError>>,
}

impl Cx<'_> {
    pub fn err(&self, line: usize, msg: impl Into<String>) -> SpecError {
        SpecError {
            file: self.file.to_string(),
            line: Some(line),
            msg: msg.into(),
        }
    }

    pub fn warn(&self, line: usize, msg: String) {
        let e = self.err(line, msg);
        self.warnings.borrow_mut().push(e);
    }
}

/// One node of the tree.
#[derive(Clone, Copy)]
pub(super) struct Node<'a, 'i>(pub &'a MarkedYaml<'i>);

/// What a node is, for error messages ("must be a string, not a list").
fn kind(n: &MarkedYaml<'_>) -> &'static str {
    match &n.data {
        YamlData::Value(Scalar::Null) => "empty",
        YamlData::Value(Scalar::Boolean(_)) => "a boolean",
        YamlData::Value(Scalar::Integer(_)) => "an integer",
        YamlData::Value(Scalar::FloatingPoint(_)) => "a number",
        YamlData::Value(Scalar::String(_)) => "a string",
        YamlData::Sequence(_) => "a list",
        YamlData::Mapping(_) => "a mapping",
        YamlData::Tagged(..) => "a tagged value",
        YamlData::Alias(_) => "an alias",
        YamlData::BadValue => "an invalid value",
        YamlData::Representation(..) => "an unresolved scalar",
    }
}

impl<'a, 'i> Node<'a, 'i> {
    pub fn line(self) -> usize {
        self.0.span.start.line()
    }

    pub fn kind(self) -> &'static str {
        kind(self.0)
    }

    pub fn as_str(self) -> Option<&'a str> {
        match &self.0.data {
            YamlData::Value(Scalar::String(s)) => Some(s),
            _ => None,
        }
    }

    pub fn as_int(self) -> Option<i64> {
        match &self.0.data {
            YamlData::Value(Scalar::Integer(i)) => Some(*i),
            _ => None,
        }
    }

    /// The node as a mapping, `what` naming it in errors.
    pub fn obj(self, cx: &Cx<'_>, what: String) -> Result<Obj<'a, 'i>, SpecError> {
        match &self.0.data {
            YamlData::Mapping(m) => Ok(Obj {
                map: m,
                line: self.line(),
                used: vec![false; m.len()],
                what,
            }),
            _ => Err(cx.err(
                self.line(),
                format!("{what} must be a mapping, not {}", self.kind()),
            )),
        }
    }

    /// The node as a list, `what` naming it in errors.
    pub fn seq(self, cx: &Cx<'_>, what: &str) -> Result<&'a [MarkedYaml<'i>], SpecError> {
        match &self.0.data {
            YamlData::Sequence(s) => Ok(s),
            _ => Err(cx.err(
                self.line(),
                format!("{what} must be a list, not {}", self.kind()),
            )),
        }
    }
}

/// A mapping being read: each key read is marked, [`Obj::finish`] warns
/// about the rest.
pub(super) struct Obj<'a, 'i> {
    map: &'a AnnotatedMapping<'i, MarkedYaml<'i>>,
    pub line: usize,
    used: Vec<bool>,
    /// The object in errors: `attribute-set "x" attribute "y"`.
    pub what: String,
}

impl<'a, 'i> Obj<'a, 'i> {
    /// The value of `key`, if present.
    pub fn get(&mut self, key: &str) -> Option<Node<'a, 'i>> {
        for (i, (k, v)) in self.map.iter().enumerate() {
            if matches!(&k.data, YamlData::Value(Scalar::String(s)) if s == key) {
                self.used[i] = true;
                return Some(Node(v));
            }
        }
        None
    }

    fn mismatch(&self, cx: &Cx<'_>, key: &str, n: Node<'_, '_>, want: &str) -> SpecError {
        cx.err(
            n.line(),
            format!("{}: \"{key}\" must be {want}, not {}", self.what, n.kind()),
        )
    }

    /// An error about `key` (at its line, or the object's when absent).
    pub fn err_at(&mut self, cx: &Cx<'_>, key: &str, msg: impl std::fmt::Display) -> SpecError {
        let line = self.get(key).map_or(self.line, Node::line);
        cx.err(line, format!("{}: {msg}", self.what))
    }

    pub fn str(&mut self, cx: &Cx<'_>, key: &str) -> Result<Option<&'a str>, SpecError> {
        match self.get(key) {
            None => Ok(None),
            Some(n) => n
                .as_str()
                .map(Some)
                .ok_or_else(|| self.mismatch(cx, key, n, "a string")),
        }
    }

    pub fn string(&mut self, cx: &Cx<'_>, key: &str) -> Result<Option<String>, SpecError> {
        Ok(self.str(cx, key)?.map(str::to_string))
    }

    /// A string that may be written as a number (`value: 1` in a sub-message format).
    pub fn string_or_int(&mut self, cx: &Cx<'_>, key: &str) -> Result<Option<String>, SpecError> {
        match self.get(key) {
            None => Ok(None),
            Some(n) => match (n.as_str(), n.as_int()) {
                (Some(s), _) => Ok(Some(s.to_string())),
                (_, Some(i)) => Ok(Some(i.to_string())),
                _ => Err(self.mismatch(cx, key, n, "a string")),
            },
        }
    }

    pub fn req_str(&mut self, cx: &Cx<'_>, key: &str) -> Result<&'a str, SpecError> {
        match self.str(cx, key)? {
            Some(s) => Ok(s),
            None => Err(cx.err(self.line, format!("{}: \"{key}\" is missing", self.what))),
        }
    }

    pub fn bool(&mut self, cx: &Cx<'_>, key: &str) -> Result<bool, SpecError> {
        match self.get(key) {
            None => Ok(false),
            Some(n) => match &n.0.data {
                YamlData::Value(Scalar::Boolean(b)) => Ok(*b),
                _ => Err(self.mismatch(cx, key, n, "true or false")),
            },
        }
    }

    /// An integer in `min..=max`.
    pub fn int(
        &mut self,
        cx: &Cx<'_>,
        key: &str,
        min: i64,
        max: i64,
    ) -> Result<Option<i64>, SpecError> {
        match self.get(key) {
            None => Ok(None),
            Some(n) => match n.as_int() {
                Some(i) if (min..=max).contains(&i) => Ok(Some(i)),
                Some(i) => Err(cx.err(
                    n.line(),
                    format!(
                        "{}: \"{key}\" {i} is out of range ({min} to {max})",
                        self.what
                    ),
                )),
                None => Err(self.mismatch(cx, key, n, "an integer")),
            },
        }
    }

    /// A list (absent: empty).
    pub fn seq(&mut self, cx: &Cx<'_>, key: &str) -> Result<&'a [MarkedYaml<'i>], SpecError> {
        match self.get(key) {
            None => Ok(&[]),
            Some(n) => n.seq(cx, &format!("{}: \"{key}\"", self.what)),
        }
    }

    /// A nested mapping, if present.
    pub fn obj(&mut self, cx: &Cx<'_>, key: &str) -> Result<Option<Obj<'a, 'i>>, SpecError> {
        match self.get(key) {
            None => Ok(None),
            Some(n) => n.obj(cx, format!("{} {key}", self.what)).map(Some),
        }
    }

    /// A list of strings (absent: empty).
    pub fn str_list(&mut self, cx: &Cx<'_>, key: &str) -> Result<Vec<String>, SpecError> {
        let what = format!("{}: \"{key}\"", self.what);
        self.seq(cx, key)?
            .iter()
            .map(|n| {
                let n = Node(n);
                n.as_str().map(str::to_string).ok_or_else(|| {
                    cx.err(
                        n.line(),
                        format!("{what} entries must be strings, not {}", n.kind()),
                    )
                })
            })
            .collect()
    }

    /// Warns about every key that was never read.
    pub fn finish(self, cx: &Cx<'_>) {
        for ((k, _), used) in self.map.iter().zip(&self.used) {
            if !used {
                let name = match &k.data {
                    YamlData::Value(Scalar::String(s)) => s.to_string(),
                    _ => format!("({})", kind(k)),
                };
                cx.warn(
                    k.span.start.line(),
                    format!("{}: unknown key \"{name}\" ignored", self.what),
                );
            }
        }
    }
}
