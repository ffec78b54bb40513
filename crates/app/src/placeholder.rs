//! Placeholder product pictures, so that the demo catalog has images without shipping any.

/// Longest label drawn; longer names are cut with an ellipsis so the text stays in the frame.
const MAX_LABEL_CHARS: usize = 60;

/// An 800×1000 SVG with a pastel background chosen from a hash of `name`, and `name` written
/// in the middle. The same name always gives the same picture.
pub fn placeholder_svg(name: &str) -> String {
    let hash = fnv1a(name.as_bytes());
    let background = pastel(hash);
    let chars = name.chars().count();
    let label: String = if chars > MAX_LABEL_CHARS {
        name.chars().take(MAX_LABEL_CHARS - 1).chain(['…']).collect()
    } else {
        name.to_owned()
    };
    // Shrink long labels so that they fit the 800px width.
    let font_size = (1400 / chars.clamp(1, MAX_LABEL_CHARS)).clamp(20, 48);
    let label = escape_xml(&label);
    format!(
        concat!(
            r#"<svg xmlns="http://www.w3.org/2000/svg" width="800" height="1000" "#,
            r#"viewBox="0 0 800 1000" role="img" aria-label="{label}">"#,
            r#"<rect width="800" height="1000" fill="{background}"/>"#,
            r#"<text x="400" y="500" text-anchor="middle" dominant-baseline="middle" "#,
            r#"font-family="Helvetica, Arial, sans-serif" font-size="{font_size}" "#,
            r##"fill="#2b2b2b">{label}</text></svg>"##,
        ),
        label = label,
        background = background,
        font_size = font_size,
    )
}

/// 64-bit FNV-1a: tiny, stable across platforms and releases, unlike `DefaultHasher`.
fn fnv1a(bytes: &[u8]) -> u64 {
    bytes.iter().fold(0xcbf2_9ce4_8422_2325, |hash, b| {
        (hash ^ u64::from(*b)).wrapping_mul(0x0000_0100_0000_01b3)
    })
}

/// A light colour, `#rrggbb`, with each channel between 0x90 and 0xef so dark text stays legible.
fn pastel(hash: u64) -> String {
    let channel = |shift: u32| 0x90 + ((hash >> shift) & 0xff) % 0x60;
    format!("#{:02x}{:02x}{:02x}", channel(0), channel(21), channel(42))
}

/// Escapes text for use in element content and attribute values. Characters that XML 1.0 does
/// not allow at all (most control characters) become spaces.
fn escape_xml(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    for ch in text.chars() {
        match ch {
            '&' => out.push_str("&amp;"),
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '"' => out.push_str("&quot;"),
            '\'' => out.push_str("&apos;"),
            c if c.is_control() => out.push(' '),
            c => out.push(c),
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    fn fill(svg: &str) -> &str {
        let start = svg.find("<rect").expect("rect");
        let rest = &svg[start..];
        let fill = rest.find("fill=\"").expect("fill") + 6;
        &rest[fill..fill + 7]
    }

    #[test]
    fn is_an_800_by_1000_svg_with_the_name() {
        let svg = placeholder_svg("odette-silk-midi-dress-1-2");
        assert!(svg.starts_with("<svg xmlns=\"http://www.w3.org/2000/svg\""));
        assert!(svg.contains("viewBox=\"0 0 800 1000\""));
        assert!(svg.contains(">odette-silk-midi-dress-1-2</text>"));
        assert!(svg.ends_with("</svg>"));
    }

    #[test]
    fn escapes_markup_in_the_name() {
        let svg = placeholder_svg("<b>&\"x'</b>");
        assert!(!svg.contains("<b>"));
        assert!(svg.contains(">&lt;b&gt;&amp;&quot;x&apos;&lt;/b&gt;</text>"));
        assert!(svg.contains("aria-label=\"&lt;b&gt;&amp;&quot;x&apos;&lt;/b&gt;\""));
        assert!(!placeholder_svg("a\u{0}b").contains('\u{0}'));
    }

    #[test]
    fn same_name_same_picture() {
        assert_eq!(placeholder_svg("wool-coat-1"), placeholder_svg("wool-coat-1"));
    }

    #[test]
    fn different_names_get_different_colours() {
        let a = placeholder_svg("wool-coat-1");
        let b = placeholder_svg("wool-coat-2");
        let c = placeholder_svg("silk-dress-1");
        assert_ne!(fill(&a), fill(&b));
        assert_ne!(fill(&a), fill(&c));
        assert_ne!(fill(&b), fill(&c));
        assert!(fill(&a).starts_with('#'));
    }

    #[test]
    fn long_names_are_shortened() {
        let svg = placeholder_svg(&"x".repeat(500));
        assert!(svg.contains(&format!(">{}…</text>", "x".repeat(MAX_LABEL_CHARS - 1))));
        assert!(svg.contains("font-size=\"23\""));
    }
}
