//! `where` constraints: a small expression language over a point's fields.
//!
//! ```text
//! expr  := or
//! or    := and (("or" | "||") and)*
//! and   := cmp (("and" | "&&") cmp)*
//! cmp   := sum (("<" | "<=" | ">" | ">=" | "==" | "!=") sum)?
//! sum   := prod (("+" | "-") prod)*
//! prod  := unary (("*" | "/" | "%") unary)*
//! unary := ("-" | "!" | "not") unary | pow
//! pow   := atom ("^" unary)?
//! atom  := number | "string" | true | false | name | func "(" expr ("," expr)* ")" | "(" expr ")"
//! ```
//!
//! A name is a dotted key (`arch.pe_array.rows`, `net`, `batch`): the
//! point's swept value if the key is an axis, else the base configuration's
//! value. Functions: `min`, `max`, `abs`, `sqrt`, `log2`, `log10`, `ln`,
//! `floor`, `ceil`, `round`. Numbers are `f64`; strings compare by equality
//! and order; a constraint must evaluate to a boolean.

use std::fmt;

/// A value during evaluation.
#[derive(Debug, Clone, PartialEq)]
pub enum Val {
    /// A number.
    Num(f64),
    /// A string.
    Str(String),
    /// A boolean.
    Bool(bool),
}

impl fmt::Display for Val {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Val::Num(n) => write!(f, "{n}"),
            Val::Str(s) => write!(f, "\"{s}\""),
            Val::Bool(b) => write!(f, "{b}"),
        }
    }
}

/// A parsed expression.
#[derive(Debug, Clone, PartialEq)]
pub enum Expr {
    /// A literal.
    Lit(Val),
    /// A dotted name.
    Name(String),
    /// A unary operator (`-`, `!`).
    Unary(char, Box<Expr>),
    /// A binary operator.
    Binary(&'static str, Box<Expr>, Box<Expr>),
    /// A function call.
    Call(String, Vec<Expr>),
}

const FUNCS: &[&str] = &["min", "max", "abs", "sqrt", "log2", "log10", "ln", "floor", "ceil", "round"];

#[derive(Debug, Clone, PartialEq)]
enum Tok {
    Num(f64),
    Str(String),
    Name(String),
    Op(&'static str),
}

fn lex(src: &str) -> Result<Vec<(Tok, usize)>, String> {
    const OPS: &[&str] =
        &["<=", ">=", "==", "!=", "&&", "||", "<", ">", "+", "-", "*", "/", "%", "^", "!", "(", ")", ","];
    let b = src.as_bytes();
    let mut out = Vec::new();
    let mut i = 0;
    while i < b.len() {
        let c = b[i] as char;
        if c.is_ascii_whitespace() {
            i += 1;
        } else if c.is_ascii_digit() || (c == '.' && b.get(i + 1).is_some_and(u8::is_ascii_digit)) {
            let start = i;
            while i < b.len() && (b[i].is_ascii_digit() || b[i] == b'.' || b[i] == b'_') {
                i += 1;
            }
            if i < b.len() && (b[i] == b'e' || b[i] == b'E') {
                i += 1;
                if i < b.len() && (b[i] == b'+' || b[i] == b'-') {
                    i += 1;
                }
                while i < b.len() && b[i].is_ascii_digit() {
                    i += 1;
                }
            }
            let text = src[start..i].replace('_', "");
            let n = text.parse::<f64>().map_err(|_| format!("column {}: bad number `{text}`", start + 1))?;
            out.push((Tok::Num(n), start));
        } else if c.is_ascii_alphabetic() || c == '_' {
            let start = i;
            while i < b.len() && (b[i].is_ascii_alphanumeric() || b[i] == b'_' || b[i] == b'.') {
                i += 1;
            }
            out.push((Tok::Name(src[start..i].to_string()), start));
        } else if c == '"' || c == '\'' {
            let start = i;
            let end = src[i + 1..].find(c).ok_or_else(|| format!("column {}: unterminated string", start + 1))?;
            out.push((Tok::Str(src[i + 1..i + 1 + end].to_string()), start));
            i += end + 2;
        } else if let Some(op) = OPS.iter().find(|op| src[i..].starts_with(**op)) {
            out.push((Tok::Op(op), i));
            i += op.len();
        } else {
            return Err(format!("column {}: unexpected `{c}`", i + 1));
        }
    }
    Ok(out)
}

struct Parser {
    toks: Vec<(Tok, usize)>,
    pos: usize,
    len: usize,
}

impl Parser {
    fn peek(&self) -> Option<&Tok> {
        self.toks.get(self.pos).map(|(t, _)| t)
    }
    fn col(&self) -> usize {
        self.toks.get(self.pos).map_or(self.len, |(_, c)| *c) + 1
    }
    fn eat_op(&mut self, ops: &[&'static str]) -> Option<&'static str> {
        let hit = match self.peek() {
            Some(Tok::Op(o)) => ops.iter().find(|x| *x == o).copied(),
            Some(Tok::Name(n)) => match n.as_str() {
                "and" if ops.contains(&"&&") => Some("&&"),
                "or" if ops.contains(&"||") => Some("||"),
                "not" if ops.contains(&"!") => Some("!"),
                _ => None,
            },
            _ => None,
        };
        if hit.is_some() {
            self.pos += 1;
        }
        hit
    }
    fn expect(&mut self, op: &'static str) -> Result<(), String> {
        match self.eat_op(&[op]) {
            Some(_) => Ok(()),
            None => Err(format!("column {}: expected `{op}`", self.col())),
        }
    }
    fn binary(&mut self, ops: &[&'static str], next: fn(&mut Parser) -> Result<Expr, String>) -> Result<Expr, String> {
        let mut lhs = next(self)?;
        while let Some(op) = self.eat_op(ops) {
            lhs = Expr::Binary(op, Box::new(lhs), Box::new(next(self)?));
        }
        Ok(lhs)
    }
    fn or(&mut self) -> Result<Expr, String> {
        self.binary(&["||"], Parser::and)
    }
    fn and(&mut self) -> Result<Expr, String> {
        self.binary(&["&&"], Parser::cmp)
    }
    fn cmp(&mut self) -> Result<Expr, String> {
        let lhs = self.sum()?;
        match self.eat_op(&["<=", ">=", "==", "!=", "<", ">"]) {
            Some(op) => Ok(Expr::Binary(op, Box::new(lhs), Box::new(self.sum()?))),
            None => Ok(lhs),
        }
    }
    fn sum(&mut self) -> Result<Expr, String> {
        self.binary(&["+", "-"], Parser::prod)
    }
    fn prod(&mut self) -> Result<Expr, String> {
        self.binary(&["*", "/", "%"], Parser::unary)
    }
    fn unary(&mut self) -> Result<Expr, String> {
        match self.eat_op(&["-", "!"]) {
            Some(op) => Ok(Expr::Unary(if op == "-" { '-' } else { '!' }, Box::new(self.unary()?))),
            None => self.pow(),
        }
    }
    fn pow(&mut self) -> Result<Expr, String> {
        let base = self.atom()?;
        match self.eat_op(&["^"]) {
            Some(_) => Ok(Expr::Binary("^", Box::new(base), Box::new(self.unary()?))),
            None => Ok(base),
        }
    }
    fn atom(&mut self) -> Result<Expr, String> {
        let col = self.col();
        let tok = self.peek().cloned().ok_or_else(|| format!("column {col}: the expression ends too early"))?;
        self.pos += 1;
        match tok {
            Tok::Num(n) => Ok(Expr::Lit(Val::Num(n))),
            Tok::Str(s) => Ok(Expr::Lit(Val::Str(s))),
            Tok::Op("(") => {
                let e = self.or()?;
                self.expect(")")?;
                Ok(e)
            }
            Tok::Name(n) if n == "true" || n == "false" => Ok(Expr::Lit(Val::Bool(n == "true"))),
            Tok::Name(n) if self.peek() == Some(&Tok::Op("(")) => {
                if !FUNCS.contains(&n.as_str()) {
                    return Err(format!("column {col}: unknown function `{n}`; functions: {}", FUNCS.join(", ")));
                }
                self.pos += 1;
                let mut args = vec![self.or()?];
                while self.eat_op(&[","]).is_some() {
                    args.push(self.or()?);
                }
                self.expect(")")?;
                Ok(Expr::Call(n, args))
            }
            Tok::Name(n) => Ok(Expr::Name(n)),
            Tok::Op(o) => Err(format!("column {col}: unexpected `{o}`")),
        }
    }
}

impl Expr {
    /// Parse a constraint; errors give the column.
    pub fn parse(src: &str) -> Result<Expr, String> {
        let mut p = Parser { toks: lex(src)?, pos: 0, len: src.len() };
        let e = p.or()?;
        if p.pos < p.toks.len() {
            return Err(format!("column {}: unexpected text after the expression", p.col()));
        }
        Ok(e)
    }

    /// Every dotted name used.
    pub fn names(&self) -> Vec<String> {
        let mut out = Vec::new();
        self.walk(&mut |e| {
            if let Expr::Name(n) = e
                && !out.contains(n)
            {
                out.push(n.clone());
            }
        });
        out
    }

    fn walk(&self, f: &mut dyn FnMut(&Expr)) {
        f(self);
        match self {
            Expr::Unary(_, a) => a.walk(f),
            Expr::Binary(_, a, b) => {
                a.walk(f);
                b.walk(f);
            }
            Expr::Call(_, args) => args.iter().for_each(|a| a.walk(f)),
            Expr::Lit(_) | Expr::Name(_) => {}
        }
    }

    /// Evaluate with `lookup` resolving names.
    pub fn eval(&self, lookup: &dyn Fn(&str) -> Option<Val>) -> Result<Val, String> {
        let num = |v: Val, what: &str| match v {
            Val::Num(n) => Ok(n),
            other => Err(format!("`{what}` needs numbers, got {other}")),
        };
        let boolean = |v: Val, what: &str| match v {
            Val::Bool(b) => Ok(b),
            other => Err(format!("`{what}` needs true/false, got {other}")),
        };
        Ok(match self {
            Expr::Lit(v) => v.clone(),
            Expr::Name(n) => lookup(n).ok_or_else(|| format!("unknown name `{n}`"))?,
            Expr::Unary('-', a) => Val::Num(-num(a.eval(lookup)?, "-")?),
            Expr::Unary(_, a) => Val::Bool(!boolean(a.eval(lookup)?, "not")?),
            Expr::Binary(op @ ("&&" | "||"), a, b) => {
                let l = boolean(a.eval(lookup)?, op)?;
                // Short-circuit like every other language.
                if (*op == "&&" && !l) || (*op == "||" && l) {
                    Val::Bool(l)
                } else {
                    Val::Bool(boolean(b.eval(lookup)?, op)?)
                }
            }
            Expr::Binary(op, a, b) => {
                let (l, r) = (a.eval(lookup)?, b.eval(lookup)?);
                match (*op, l, r) {
                    ("==", l, r) => Val::Bool(l == r),
                    ("!=", l, r) => Val::Bool(l != r),
                    (op @ ("<" | "<=" | ">" | ">="), Val::Str(l), Val::Str(r)) => Val::Bool(match op {
                        "<" => l < r,
                        "<=" => l <= r,
                        ">" => l > r,
                        _ => l >= r,
                    }),
                    (op, l, r) => {
                        let (l, r) = (num(l, op)?, num(r, op)?);
                        match op {
                            "<" => Val::Bool(l < r),
                            "<=" => Val::Bool(l <= r),
                            ">" => Val::Bool(l > r),
                            ">=" => Val::Bool(l >= r),
                            "+" => Val::Num(l + r),
                            "-" => Val::Num(l - r),
                            "*" => Val::Num(l * r),
                            "/" => Val::Num(l / r),
                            "%" => Val::Num(l % r),
                            _ => Val::Num(l.powf(r)),
                        }
                    }
                }
            }
            Expr::Call(f, args) => {
                let xs = args.iter().map(|a| a.eval(lookup).and_then(|v| num(v, f))).collect::<Result<Vec<_>, _>>()?;
                let one = || if xs.len() == 1 { Ok(xs[0]) } else { Err(format!("`{f}` takes one argument")) };
                Val::Num(match f.as_str() {
                    "min" => xs.iter().copied().fold(f64::INFINITY, f64::min),
                    "max" => xs.iter().copied().fold(f64::NEG_INFINITY, f64::max),
                    "abs" => one()?.abs(),
                    "sqrt" => one()?.sqrt(),
                    "log2" => one()?.log2(),
                    "log10" => one()?.log10(),
                    "ln" => one()?.ln(),
                    "floor" => one()?.floor(),
                    "ceil" => one()?.ceil(),
                    _ => one()?.round(),
                })
            }
        })
    }

    /// Evaluate a constraint that must be true or false.
    pub fn holds(&self, lookup: &dyn Fn(&str) -> Option<Val>) -> Result<bool, String> {
        match self.eval(lookup)? {
            Val::Bool(b) => Ok(b),
            other => Err(format!("a constraint must be true or false, this one gives {other}")),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn run(src: &str) -> Result<Val, String> {
        let e = Expr::parse(src)?;
        e.eval(&|n| match n {
            "arch.pe_array.rows" => Some(Val::Num(12.0)),
            "arch.pe_array.cols" => Some(Val::Num(14.0)),
            "net" => Some(Val::Str("alexnet".into())),
            _ => None,
        })
    }

    #[test]
    fn precedence_and_values() {
        assert_eq!(run("arch.pe_array.rows * arch.pe_array.cols <= 256"), Ok(Val::Bool(true)));
        assert_eq!(run("1 + 2 * 3 ^ 2"), Ok(Val::Num(19.0)));
        assert_eq!(run("-2 ^ 2"), Ok(Val::Num(-4.0)));
        assert_eq!(run("(1 + 2) * 3 % 4"), Ok(Val::Num(1.0)));
        assert_eq!(run("max(1, arch.pe_array.rows, 3) + log2(8)"), Ok(Val::Num(15.0)));
        assert_eq!(run("net == \"alexnet\" and not (1 > 2) || false"), Ok(Val::Bool(true)));
        assert_eq!(run("1e3 == 1000"), Ok(Val::Bool(true)));
    }

    #[test]
    fn errors_name_the_problem() {
        assert_eq!(run("nope > 1"), Err("unknown name `nope`".into()));
        assert!(Expr::parse("1 +").unwrap_err().contains("ends too early"));
        assert!(Expr::parse("1 $ 2").unwrap_err().contains("column 3: unexpected `$`"));
        assert!(Expr::parse("foo(1)").unwrap_err().contains("unknown function `foo`"));
        assert!(run("net + 1").unwrap_err().contains("needs numbers"));
        assert!(Expr::parse("1 + 2").and_then(|e| e.holds(&|_| None)).unwrap_err().contains("true or false"));
    }

    #[test]
    fn names_are_listed_once() {
        let e = Expr::parse("a.b * a.b < c").unwrap_or(Expr::Lit(Val::Bool(false)));
        assert_eq!(e.names(), ["a.b", "c"]);
    }
}
