//! The forge and repository a work tree's `origin` remote names, for `--remote` when neither a
//! flag nor the CI environment says them.
//!
//! The URL forms git accepts for a hosted repository: `https://host[:port][/sub]/OWNER/NAME[.git]`
//! (and `http://`), `ssh://[user@]host[:port][/sub]/OWNER/NAME[.git]` (`git+ssh://`, `git://`),
//! and the scp-like `[user@]host:[sub/]OWNER/NAME[.git]`. The web address of an ssh remote is
//! `https://host[/sub]`: its ssh port says nothing of the web port. Credentials written into
//! an https URL (`https://user:token@host/…`) are dropped, never kept or shown.

/// A forge and repository named by a remote URL.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Origin {
    /// The web address, e.g. `https://git.example.com:3000/gitea`, without a final `/`.
    pub server: String,
    pub owner: String,
    pub name: String,
}

impl Origin {
    /// `OWNER/NAME`.
    pub fn full_name(&self) -> String {
        format!("{}/{}", self.owner, self.name)
    }
}

/// A remote URL longer than this is not read.
const MAX_URL: usize = 2048;

/// The forge and repository `url` names, or `None` for a local path, another scheme, or a URL
/// that does not end in `OWNER/NAME`.
pub fn parse(url: &str) -> Option<Origin> {
    let url = url.trim();
    if url.is_empty()
        || url.len() > MAX_URL
        || url.chars().any(|c| c.is_control() || c.is_whitespace())
    {
        return None;
    }
    let (web_scheme, keep_port, authority, path) = match url.split_once("://") {
        Some((scheme, rest)) => {
            let (web, keep_port) = match scheme.to_ascii_lowercase().as_str() {
                "https" => ("https", true),
                "http" => ("http", true),
                "ssh" | "git+ssh" | "ssh+git" | "git" => ("https", false),
                _ => return None,
            };
            let (authority, path) = rest.split_once('/').unwrap_or((rest, ""));
            (web, keep_port, authority, path)
        }
        None => {
            // scp-like `[user@]host:path`: the colon comes before any slash, and the host is
            // more than a drive letter (`C:\…` and `C:/…` are local paths).
            let (authority, path) = url.split_once(':')?;
            if authority.contains('/') || authority.contains('\\') || path.starts_with("//") {
                return None;
            }
            let host = authority.rsplit_once('@').map_or(authority, |(_, h)| h);
            if host.len() < 2 {
                return None;
            }
            ("https", false, authority, path)
        }
    };
    // Credentials are never kept: everything up to the last `@` goes.
    let host_port = authority.rsplit_once('@').map_or(authority, |(_, h)| h);
    let (host, port) = match host_port.split_once(':') {
        // scp-like forms have no port in the authority: the colon was the separator.
        Some((h, p)) if !p.is_empty() && p.len() <= 5 && p.bytes().all(|b| b.is_ascii_digit()) => {
            (h, Some(p))
        }
        Some((h, "")) => (h, None),
        Some(_) => return None,
        None => (host_port, None),
    };
    let host_ok = !host.is_empty()
        && host.len() <= 253
        && host
            .bytes()
            .all(|b| b.is_ascii_alphanumeric() || b == b'.' || b == b'-')
        && !host.starts_with(['.', '-']);
    if !host_ok {
        return None;
    }
    let host = host.to_ascii_lowercase();
    let path = path.trim_end_matches('/');
    let path = path.strip_suffix(".git").unwrap_or(path);
    let segments: Vec<&str> = path.split('/').filter(|s| !s.is_empty()).collect();
    let segment_ok = |s: &&str| {
        *s != "."
            && *s != ".."
            && s.len() <= 100
            && s.bytes()
                .all(|b| b.is_ascii_alphanumeric() || b == b'.' || b == b'-' || b == b'_')
    };
    if segments.len() < 2 || !segments.iter().all(segment_ok) {
        return None;
    }
    let (sub, repo) = segments.split_at(segments.len() - 2);
    let port = match (keep_port, port, web_scheme) {
        (true, Some("443"), "https") | (true, Some("80"), "http") => String::new(),
        (true, Some(p), _) => format!(":{p}"),
        _ => String::new(),
    };
    let sub = if sub.is_empty() {
        String::new()
    } else {
        format!("/{}", sub.join("/"))
    };
    Some(Origin {
        server: format!("{web_scheme}://{host}{port}{sub}"),
        owner: repo[0].to_owned(),
        name: repo[1].to_owned(),
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn o(server: &str, owner: &str, name: &str) -> Option<Origin> {
        Some(Origin {
            server: server.to_owned(),
            owner: owner.to_owned(),
            name: name.to_owned(),
        })
    }

    #[test]
    fn https_forms() {
        assert_eq!(
            parse("https://github.com/octo/app.git"),
            o("https://github.com", "octo", "app")
        );
        assert_eq!(
            parse("https://github.com/octo/app"),
            o("https://github.com", "octo", "app")
        );
        assert_eq!(
            parse("https://GitHub.com/octo/app/"),
            o("https://github.com", "octo", "app")
        );
        // A port and a sub-path (Gitea served under /gitea).
        assert_eq!(
            parse("https://git.example.com:3000/gitea/octo/app.git"),
            o("https://git.example.com:3000/gitea", "octo", "app")
        );
        assert_eq!(
            parse("http://127.0.0.1:8080/octo/my.app"),
            o("http://127.0.0.1:8080", "octo", "my.app")
        );
        assert_eq!(
            parse("https://codeberg.org:443/forgejo/runner"),
            o("https://codeberg.org", "forgejo", "runner")
        );
    }

    #[test]
    fn credentials_are_dropped() {
        let got = parse("https://x-access-token:ghp_secret@github.com/octo/app.git");
        assert_eq!(got, o("https://github.com", "octo", "app"));
        assert!(!format!("{got:?}").contains("secret"));
        assert_eq!(
            parse("https://user@git.example.com/octo/app.git"),
            o("https://git.example.com", "octo", "app")
        );
    }

    #[test]
    fn ssh_forms() {
        assert_eq!(
            parse("git@github.com:octo/app.git"),
            o("https://github.com", "octo", "app")
        );
        assert_eq!(
            parse("gitea@git.example.com:octo/app.git"),
            o("https://git.example.com", "octo", "app")
        );
        // The ssh port is not the web port.
        assert_eq!(
            parse("ssh://git@git.example.com:2222/octo/app.git"),
            o("https://git.example.com", "octo", "app")
        );
        assert_eq!(
            parse("ssh://git@codeberg.org/forgejo/runner.git"),
            o("https://codeberg.org", "forgejo", "runner")
        );
        assert_eq!(
            parse("git+ssh://git@git.example.com/sub/octo/app"),
            o("https://git.example.com/sub", "octo", "app")
        );
        assert_eq!(
            parse("git://git.example.com/octo/app.git"),
            o("https://git.example.com", "octo", "app")
        );
    }

    #[test]
    fn not_a_hosted_repository() {
        for url in [
            "",
            "/srv/git/app.git",
            "../app",
            "file:///srv/git/octo/app.git",
            "C:/repos/octo/app",
            "C:\\repos\\octo\\app",
            "https://github.com/octo",
            "https://github.com/",
            "https://github.com/octo/../app",
            "https://github.com/octo/app name",
            "https://gith\u{fc}b.com/octo/app",
            "https://github.com:99999999/octo/app",
            "https://-x.com/octo/app",
            "ftp://github.com/octo/app",
            "git@github.com:/octo",
        ] {
            assert_eq!(parse(url), None, "{url:?}");
        }
        let long = format!("https://github.com/octo/{}", "a".repeat(MAX_URL));
        assert_eq!(parse(&long), None);
    }
}
