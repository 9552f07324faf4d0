//! Reusable workflows of other repositories (`uses: owner/repo/.github/workflows/x.yml@ref`),
//! read with `--remote` so that the jobs that call them get their contexts instead of
//! `context-unresolvable`.
//!
//! A pull request chooses what is fetched: the files are read **without the token** (so a
//! pull request cannot make gatelint read a private repository with it), from the same
//! server only, workflow paths only, at most [`MAX_CALLED`] files of [`MAX_CALLED_BYTES`]
//! each. What cannot be read keeps its job unresolvable, with the reason; a file that is read
//! is used for naming only, and no finding quotes its text.

use std::collections::HashMap;

use serde_json::Value as Json;

use super::{RemoteError, RemoteSpec, http, segment};
use crate::forge::Forge;

/// Called workflows read at most per run.
pub const MAX_CALLED: usize = 50;
/// The largest called workflow read.
pub const MAX_CALLED_BYTES: usize = 1 << 20;

/// What was read: by the `uses:` value, the file's text or why it could not be read.
pub type Fetched = HashMap<String, Result<String, String>>;

/// A `uses:` naming a workflow file of another repository on the same server: (owner,
/// repository, path, ref). `None` for a local call, an action, a URL (another server), or a
/// path outside the forge's workflow folders.
pub fn parse_uses(uses: &str, forge: Forge) -> Option<(String, String, String, String)> {
    let uses = uses.trim();
    if uses.starts_with("./") || uses.starts_with("$/") || uses.contains("://") {
        return None;
    }
    if uses.len() > 512 || uses.chars().any(|c| c.is_control() || c.is_whitespace()) {
        return None;
    }
    let (location, git_ref) = uses.rsplit_once('@')?;
    let mut parts = location.splitn(3, '/');
    let (owner, repo, path) = (parts.next()?, parts.next()?, parts.next()?);
    let name_ok = |s: &str| {
        !s.is_empty()
            && s.len() <= 100
            && s != "."
            && s != ".."
            && s.bytes()
                .all(|b| b.is_ascii_alphanumeric() || matches!(b, b'-' | b'_' | b'.'))
    };
    let folders: &[&str] = match forge {
        Forge::Github => &[".github/workflows/"],
        Forge::Gitea => &[".gitea/workflows/", ".github/workflows/"],
        Forge::Forgejo => &[
            ".forgejo/workflows/",
            ".gitea/workflows/",
            ".github/workflows/",
        ],
    };
    let in_folder = folders.iter().any(|f| {
        path.strip_prefix(f).is_some_and(|file| {
            name_ok(file) && (file.ends_with(".yml") || file.ends_with(".yaml"))
        })
    });
    let ref_ok = !git_ref.is_empty()
        && git_ref.len() <= 255
        && !git_ref.starts_with('-')
        && !git_ref.contains("..")
        && git_ref
            .bytes()
            .all(|b| b.is_ascii_alphanumeric() || matches!(b, b'-' | b'_' | b'.' | b'/'));
    (name_ok(owner) && name_ok(repo) && in_folder && ref_ok).then(|| {
        (
            owner.to_owned(),
            repo.to_owned(),
            path.to_owned(),
            git_ref.to_owned(),
        )
    })
}

/// The `uses:` values of the jobs `report` left unresolvable that call a workflow of another
/// repository on the same server (each once, in order): what [`fetch`] is asked for.
pub fn wanted(report: &crate::analyze::RootReport) -> Vec<String> {
    let forge = report.profile.forge;
    let mut wanted: Vec<String> = Vec::new();
    for g in report.gates.iter().filter(|g| g.unresolvable.is_some()) {
        let uses = report
            .workflows
            .get(g.workflow_index)
            .and_then(|w| w.jobs.get(g.job_index))
            .and_then(|j| j.uses.as_ref())
            .map(|u| u.value.as_str());
        if let Some(u) = uses
            && parse_uses(u, forge).is_some()
            && !wanted.iter().any(|w| w == u)
        {
            wanted.push(u.to_owned());
        }
    }
    wanted
}

/// Standard base64 with line breaks, as the contents APIs send it.
pub(crate) fn decode_base64(text: &str) -> Option<Vec<u8>> {
    let mut out = Vec::with_capacity(text.len() / 4 * 3);
    let mut acc: u32 = 0;
    let mut bits = 0;
    for b in text.bytes() {
        let v = match b {
            b'A'..=b'Z' => b - b'A',
            b'a'..=b'z' => b - b'a' + 26,
            b'0'..=b'9' => b - b'0' + 52,
            b'+' => 62,
            b'/' => 63,
            b'=' => break,
            b'\n' | b'\r' | b' ' => continue,
            _ => return None,
        };
        acc = (acc << 6) | u32::from(v);
        bits += 6;
        if bits >= 8 {
            bits -= 8;
            out.push((acc >> bits) as u8);
            acc &= (1 << bits) - 1;
        }
    }
    Some(out)
}

/// Read each of `uses` (deduplicated, at most [`MAX_CALLED`]) from the server of `spec`,
/// anonymously. A file that cannot be read is a reason, not an error: only a failure to
/// start the client is.
pub fn fetch(spec: &RemoteSpec, uses: &[String]) -> Result<Fetched, RemoteError> {
    let scheme = match spec.forge {
        Forge::Github => http::AuthScheme::Bearer,
        Forge::Gitea | Forge::Forgejo => http::AuthScheme::Token,
    };
    super::block_on(spec, async {
        // No token: see the module's documentation. Made inside the runtime, which the
        // client's timers need.
        let client = http::Client::new(&spec.api, None, scheme, spec.limits)?
            .with_budget(spec.budget.clone());
        let mut out: Fetched = HashMap::new();
        for u in uses {
            if out.contains_key(u) {
                continue;
            }
            if out.len() >= MAX_CALLED {
                out.insert(
                    u.clone(),
                    Err(format!(
                        "more than {MAX_CALLED} called workflows of other repositories: not read"
                    )),
                );
                continue;
            }
            let Some((owner, repo, path, git_ref)) = parse_uses(u, spec.forge) else {
                continue;
            };
            let file: String = path.split('/').map(segment).collect::<Vec<_>>().join("/");
            let url = format!(
                "{}/repos/{}/{}/contents/{file}?ref={}",
                spec.api,
                segment(&owner),
                segment(&repo),
                segment(&git_ref)
            );
            let read = match client.get(&url).await {
                Err(e) => Err(format!("could not be read ({})", e.message)),
                Ok(a) if a.status == 404 => Err(
                    "is not readable without a token (gatelint reads other repositories' workflows anonymously: a private repository's stay unresolvable), or does not exist at that ref"
                        .to_owned(),
                ),
                Ok(a) if a.status != 200 => Err(format!("could not be read (HTTP {})", a.status)),
                Ok(a) => {
                    let content = serde_json::from_str::<Json>(&a.body).ok().and_then(|v| {
                        (v.get("encoding")?.as_str()? == "base64")
                            .then(|| v.get("content")?.as_str().map(str::to_owned))
                            .flatten()
                    });
                    match content.and_then(|c| decode_base64(&c)) {
                        None => Err("was answered with something other than a file's content".to_owned()),
                        Some(bytes) if bytes.len() > MAX_CALLED_BYTES => Err(format!(
                            "is larger than {MAX_CALLED_BYTES} bytes: not read"
                        )),
                        Some(bytes) => String::from_utf8(bytes)
                            .map_err(|_| "is not UTF-8 text".to_owned()),
                    }
                }
            };
            out.insert(u.clone(), read);
        }
        Ok(out)
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn uses_of_other_repositories() {
        assert_eq!(
            parse_uses(
                "pytorch/test-infra/.github/workflows/linux_job.yml@main",
                Forge::Github
            ),
            Some((
                "pytorch".into(),
                "test-infra".into(),
                ".github/workflows/linux_job.yml".into(),
                "main".into()
            ))
        );
        assert!(parse_uses("octo/ci/.gitea/workflows/b.yaml@v1.2", Forge::Gitea).is_some());
        for no in [
            "./.github/workflows/x.yml",
            "actions/checkout@v4",
            "octo/ci/.github/workflows/x.yml",
            "octo/ci/.github/workflows/../x.yml@main",
            "octo/ci/.github/workflows/sub/x.yml@main",
            "octo/ci/.github/x.yml@main",
            "octo/ci/.github/workflows/x.yml@-rf",
            "octo/ci/.github/workflows/x.yml@a..b",
            "https://example.com/octo/ci/.github/workflows/x.yml@main",
            "octo/ci/.gitea/workflows/x.yml@main",
            "../ci/.github/workflows/x.yml@main",
        ] {
            assert_eq!(parse_uses(no, Forge::Github), None, "{no}");
        }
    }

    #[test]
    fn base64_as_the_contents_api_sends_it() {
        assert_eq!(
            decode_base64("bmFtZTog\nQ0kK").as_deref(),
            Some(&b"name: CI\n"[..])
        );
        assert_eq!(decode_base64("aGk=").as_deref(), Some(&b"hi"[..]));
        assert_eq!(decode_base64("a$b"), None);
    }
}
