//! Live branch protection over the forges' APIs (`--remote`), and snapshots of it.
//!
//! The token comes only from the environment and is held in a [`Secret`], whose `Debug` and
//! `Display` print `***`; no message built here includes it, and error text from the HTTP
//! layer is scrubbed of it before it is shown.

pub mod called;
mod gitea;
mod github;
pub mod graphql;
pub mod history;
pub mod http;
pub mod issues;
pub mod origin;
pub mod repos;
pub mod statuses;
pub mod text;

use std::fmt;

use super::Forge;
use super::protection::Protection;
pub use http::Limits;

/// A token. Never printed.
#[derive(Clone, PartialEq, Eq)]
pub struct Secret(String);

impl Secret {
    pub fn new(s: String) -> Self {
        Secret(s)
    }

    pub fn expose(&self) -> &str {
        &self.0
    }
}

impl fmt::Debug for Secret {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("***")
    }
}

impl fmt::Display for Secret {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("***")
    }
}

/// Protection could not be read: exit 2.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("{message}")]
pub struct RemoteError {
    pub message: String,
}

impl RemoteError {
    pub fn new(message: impl Into<String>) -> Self {
        RemoteError {
            message: message.into(),
        }
    }
}

/// Where and what to read.
#[derive(Debug, Clone)]
pub struct RemoteSpec {
    pub forge: Forge,
    /// The web address of the server, e.g. `https://github.com`.
    pub server: String,
    /// The API base: `https://api.github.com`, `{server}/api/v3`, `{server}/api/v1`.
    pub api: String,
    pub owner: String,
    pub repo: String,
    pub branch: String,
    pub token: Option<Secret>,
    /// Where the token came from (an environment variable's name), for messages.
    pub token_source: Option<&'static str>,
    pub limits: Limits,
    /// When server or repository came from the `origin` remote: what was inferred, and
    /// whether the token was withheld (said on standard error, and in messages about access).
    pub inferred: Option<Inferred>,
    /// `audit`: the rate budget every worker shares (one pause, one request count).
    pub budget: Option<std::sync::Arc<http::Budget>>,
}

/// What `--remote` took from the `origin` remote.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Inferred {
    /// e.g. "server https://git.example.com and repository octo/app".
    pub what: String,
    /// The token was set but not sent: the server was not named explicitly.
    pub token_withheld: bool,
}

impl Inferred {
    /// One line for standard error.
    pub fn notice(&self) -> String {
        let anonymous = if self.token_withheld {
            "; requests are anonymous: the token is only sent to a server named by --server or \
             GITHUB_SERVER_URL (or to https://github.com)"
        } else {
            ""
        };
        format!(
            "gatelint: {} from the `origin` remote{anonymous}",
            self.what
        )
    }
}

/// What the flags say; anything missing comes from the CI environment.
#[derive(Debug, Clone, Default)]
pub struct RemoteFlags {
    pub forge: Option<Forge>,
    pub server: Option<String>,
    pub repo: Option<String>,
    pub branch: Option<String>,
    pub limits: Limits,
    /// The `origin` remote's URL (`git remote get-url origin`), when there is one: server and
    /// repository are taken from it when neither a flag nor the CI environment gives them.
    pub origin: Option<String>,
}

/// The one server gatelint sends a token to without being told its name: the default.
const GITHUB_COM: &str = "https://github.com";

/// The repository (`OWNER/NAME`) a run is about, when it is known: `--repo`, else
/// `GITHUB_REPOSITORY` (set by GitHub, Gitea and Forgejo runners).
pub fn known_repository(flag: Option<&str>) -> Option<String> {
    flag.map(str::to_owned)
        .or_else(|| env("GITHUB_REPOSITORY"))
        .map(|r| r.trim().to_owned())
}

/// Read the environment variable `name`, if set and not empty.
fn env(name: &str) -> Option<String> {
    std::env::var(name).ok().filter(|v| !v.trim().is_empty())
}

/// The token from the first of `names` that is set (and not blank), checked.
fn token_from(names: &[&'static str]) -> Result<Option<(&'static str, Secret)>, RemoteError> {
    for name in names {
        let Some(raw) = std::env::var_os(name) else {
            continue;
        };
        let Some(value) = raw.to_str() else {
            return Err(RemoteError::new(format!(
                "{name} is not valid UTF-8: a token is plain ASCII text"
            )));
        };
        if value.trim().is_empty() {
            continue;
        }
        check_token(name, value)?;
        return Ok(Some((name, Secret::new(value.to_owned()))));
    }
    Ok(None)
}

/// A token goes into an HTTP header: refuse one that holds anything but visible ASCII,
/// naming the variable and the kind of character, never the token. Whitespace is not trimmed
/// silently: a token read with its file's final newline is refused with a hint.
pub fn check_token(name: &str, value: &str) -> Result<(), RemoteError> {
    let Some((at, c)) = value.char_indices().find(|(_, c)| !c.is_ascii_graphic()) else {
        return Ok(());
    };
    let what = match c {
        '\n' | '\r' => "a line break",
        ' ' | '\t' => "whitespace",
        c if c.is_control() => "a control character",
        _ => "a non-ASCII character",
    };
    let rest = &value[at..];
    let hint = if rest.trim().is_empty() {
        " at its end: it was probably read from a file with its final newline; set it \
         without (e.g. `tr -d '\\r\\n' < FILE`)"
            .to_owned()
    } else if value[..at].is_empty() {
        " at its start: set it without it".to_owned()
    } else {
        format!(
            " (character {}): a token is one word of visible ASCII",
            value[..at].chars().count() + 1
        )
    };
    Err(RemoteError::new(format!(
        "the token in {name} contains {what}{hint}; it cannot be sent in an HTTP header \
         (the token is not shown)"
    )))
}

impl RemoteSpec {
    /// Resolve from flags, then the runner's environment (`GITHUB_SERVER_URL`,
    /// `GITHUB_API_URL`, `GITHUB_REPOSITORY`, `GITHUB_BASE_REF`, `GITEA_ACTIONS`,
    /// `FORGEJO_ACTIONS`), then `fallback_forge` and `fallback_branch`.
    pub fn resolve(
        flags: &RemoteFlags,
        fallback_forge: Forge,
        fallback_branch: &str,
    ) -> Result<Self, RemoteError> {
        let forge = flags.forge.unwrap_or_else(|| {
            if env("FORGEJO_ACTIONS").is_some() {
                Forge::Forgejo
            } else if env("GITEA_ACTIONS").is_some() {
                Forge::Gitea
            } else {
                fallback_forge
            }
        });
        let origin = flags.origin.as_deref().and_then(origin::parse);
        let explicit = flags.server.clone().or_else(|| env("GITHUB_SERVER_URL"));
        let server_inferred = explicit.is_none() && origin.is_some();
        let server = match (explicit, &origin) {
            (Some(s), _) => s,
            (None, Some(o)) => o.server.clone(),
            (None, None) if forge == Forge::Github => GITHUB_COM.to_owned(),
            (None, None) => {
                return Err(RemoteError::new(format!(
                    "--remote needs the {forge} server: give --server URL (or set \
                     GITHUB_SERVER_URL, or add an `origin` remote that names it)"
                )));
            }
        };
        let server = server.trim_end_matches('/').to_owned();
        if !(server.starts_with("https://") || server.starts_with("http://")) {
            return Err(RemoteError::new(format!(
                "--server must be an http(s) URL, got `{server}`"
            )));
        }
        let api = match forge {
            Forge::Github => match (flags.server.is_some(), env("GITHUB_API_URL")) {
                (false, Some(api)) => api.trim_end_matches('/').to_owned(),
                _ if server == "https://github.com" => "https://api.github.com".to_owned(),
                _ => format!("{server}/api/v3"),
            },
            Forge::Gitea | Forge::Forgejo => format!("{server}/api/v1"),
        };
        // The origin's repository is taken only when it is on the server used.
        let origin_repo = origin
            .as_ref()
            .filter(|o| o.server == server.trim_end_matches('/'))
            .map(origin::Origin::full_name);
        let repo_inferred = flags.repo.is_none() && env("GITHUB_REPOSITORY").is_none();
        let full = flags
            .repo
            .clone()
            .or_else(|| env("GITHUB_REPOSITORY"))
            .or(origin_repo)
            .ok_or_else(|| {
                RemoteError::new(
                    "--remote needs the repository: give --repo OWNER/NAME (or set GITHUB_REPOSITORY); \
                     no `origin` remote on that server names one",
                )
            })?;
        let (owner, repo) = full
            .split_once('/')
            .filter(|(o, r)| !o.is_empty() && !r.is_empty() && !r.contains('/'))
            .ok_or_else(|| RemoteError::new(format!("--repo must be OWNER/NAME, got `{full}`")))?;
        let branch = flags
            .branch
            .clone()
            .or_else(|| env("GITHUB_BASE_REF"))
            .unwrap_or_else(|| fallback_branch.to_owned());
        let names: &[&'static str] = match forge {
            Forge::Github => &["GATELINT_TOKEN", "GITHUB_TOKEN"],
            Forge::Gitea | Forge::Forgejo => &["GATELINT_TOKEN", "GITEA_TOKEN", "GITHUB_TOKEN"],
        };
        let found = token_from(names)?;
        // A token goes only where the user sent it: a server named by flag or CI variable,
        // or the default. A server read from `origin` gets anonymous requests.
        let token_withheld = server_inferred && server != GITHUB_COM && found.is_some();
        let found = if token_withheld { None } else { found };
        let inferred = (server_inferred || repo_inferred).then(|| {
            let what = match (server_inferred, repo_inferred) {
                (true, true) => format!("server {server} and repository {full}"),
                (true, false) => format!("server {server}"),
                _ => format!("repository {full}"),
            };
            Inferred {
                what: format!("{what} inferred"),
                token_withheld,
            }
        });
        Ok(RemoteSpec {
            forge,
            server,
            api,
            owner: owner.to_owned(),
            repo: repo.to_owned(),
            branch,
            token_source: found.as_ref().map(|(n, _)| *n),
            token: found.map(|(_, t)| t),
            limits: flags.limits,
            inferred,
            budget: None,
        })
    }

    /// `audit`: the server of `forge` (`--server`, else GITHUB_SERVER_URL, else GitHub's),
    /// its API and the token, for many repositories (see [`RemoteSpec::with_repo`]). Nothing
    /// is inferred from a work tree: an audit has none.
    pub fn for_server(
        forge: Forge,
        server: Option<String>,
        limits: Limits,
    ) -> Result<RemoteSpec, RemoteError> {
        let flags = RemoteFlags {
            forge: Some(forge),
            server,
            repo: Some("audit/audit".to_owned()),
            branch: Some("main".to_owned()),
            limits,
            origin: None,
        };
        let mut spec = RemoteSpec::resolve(&flags, forge, "main")?;
        spec.owner.clear();
        spec.repo.clear();
        spec.branch.clear();
        Ok(spec)
    }

    /// This server's spec for one repository and branch.
    pub fn with_repo(&self, owner: &str, repo: &str, branch: &str) -> RemoteSpec {
        RemoteSpec {
            owner: owner.to_owned(),
            repo: repo.to_owned(),
            branch: branch.to_owned(),
            ..self.clone()
        }
    }

    /// The HTTP client for this server, with the forge's way of sending the token.
    pub fn client(&self) -> Result<http::Client, RemoteError> {
        let scheme = match self.forge {
            Forge::Github => http::AuthScheme::Bearer,
            Forge::Gitea | Forge::Forgejo => http::AuthScheme::Token,
        };
        http::Client::new(&self.api, self.token.as_ref(), scheme, self.limits)
            .map(|c| c.with_budget(self.budget.clone()))
    }

    /// `owner/repo`.
    pub fn full_name(&self) -> String {
        format!("{}/{}", self.owner, self.repo)
    }

    /// Remove the token from a message (defence in depth: no message should hold it).
    pub fn scrub(&self, text: &str) -> String {
        match &self.token {
            Some(t) if !t.expose().is_empty() => text.replace(t.expose(), "***"),
            _ => text.to_owned(),
        }
    }
}

/// Protection as read live, and how it was read.
#[derive(Debug, Clone)]
pub struct Fetched {
    pub protection: Protection,
    /// Which endpoints answered, for the user and the snapshot.
    pub source: String,
}

/// Fetch the protection of the branch.
pub fn fetch(spec: &RemoteSpec) -> Result<Fetched, RemoteError> {
    block_on(spec, async {
        match spec.forge {
            Forge::Github => github::fetch(spec).await,
            Forge::Gitea | Forge::Forgejo => gitea::fetch(spec).await,
        }
    })
}

/// Run `work` on a single-threaded runtime of its own (each reader is called from plain
/// code). Server text inside an error is already escaped and cut; the rest is escaped too
/// (no line breaks or terminal controls), and the token scrubbed, without a length cap.
fn block_on<T>(
    spec: &RemoteSpec,
    work: impl std::future::Future<Output = Result<T, RemoteError>>,
) -> Result<T, RemoteError> {
    let runtime = tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .map_err(|e| RemoteError::new(format!("cannot start the HTTP runtime: {e}")))?;
    runtime
        .block_on(work)
        .map_err(|e| RemoteError::new(text::visible(&spec.scrub(&e.message), usize::MAX)))
}

/// Percent-encode a path segment (branch names may hold `/`).
pub fn segment(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    for b in s.bytes() {
        if b.is_ascii_alphanumeric() || matches!(b, b'-' | b'_' | b'.' | b'~') {
            out.push(b as char);
        } else {
            out.push_str(&format!("%{b:02X}"));
        }
    }
    out
}

/// `{api}/repos/{owner}/{repo}`.
fn repo_url(spec: &RemoteSpec) -> String {
    format!(
        "{}/repos/{}/{}",
        spec.api,
        segment(&spec.owner),
        segment(&spec.repo)
    )
}

/// Pages of one list read at most (100 entries each on GitHub, 50 on Gitea).
pub const MAX_PAGES: usize = 50;

/// GET `first` and every next page (`Link: rel="next"`, on the API's own origin only, at most
/// [`MAX_PAGES`]), each body handed to `page` with its URL; `requests` counts the GETs. A
/// status other than 200 is an error saying what the token needs (`need`).
async fn pages(
    client: &http::Client,
    spec: &RemoteSpec,
    first: String,
    what: &str,
    need: &str,
    requests: &mut usize,
    mut page: impl FnMut(&str, &str) -> Result<(), RemoteError>,
) -> Result<(), RemoteError> {
    pages_until(
        client,
        spec,
        first,
        what,
        need,
        requests,
        MAX_PAGES,
        |body, url| page(body, url).map(|()| false),
    )
    .await
}

/// [`pages`], stopping early when `page` says it has enough (`Ok(true)`) or after `max`
/// pages (more than `max` is an error only when `max` is [`MAX_PAGES`]).
#[allow(clippy::too_many_arguments)]
async fn pages_until(
    client: &http::Client,
    spec: &RemoteSpec,
    first: String,
    what: &str,
    need: &str,
    requests: &mut usize,
    max: usize,
    mut page: impl FnMut(&str, &str) -> Result<bool, RemoteError>,
) -> Result<(), RemoteError> {
    let max = max.clamp(1, MAX_PAGES);
    let mut url = first;
    for n in 1..=max {
        let a = client.get(&url).await?;
        *requests += 1;
        if a.status != 200 {
            return Err(status_error(spec, &url, &a, need));
        }
        if page(&a.body, &url)? {
            return Ok(());
        }
        match a.next_page() {
            Some(next) if !http::same_origin(&spec.api, &next) => {
                return Err(RemoteError::new(format!(
                    "GET {url}: the next page of {what} is at `{}`, not on the API's own \
                     scheme, host and port ({}): refusing to follow it",
                    text::shown(&next),
                    spec.api
                )));
            }
            Some(next) if n < max => url = next,
            Some(_) if max < MAX_PAGES => return Ok(()),
            Some(_) => {
                return Err(RemoteError::new(format!(
                    "more than {MAX_PAGES} pages of {what}"
                )));
            }
            None => return Ok(()),
        }
    }
    Ok(())
}

/// An answer that is not the list of `what` it should be.
fn bad_list(url: &str, what: &str, e: &serde_json::Error) -> RemoteError {
    RemoteError::new(format!(
        "GET {url}: the answer is not the expected list of {what} ({})",
        text::shown(&e.to_string())
    ))
}

/// Parse an answer's body as protection of one of the `want`ed shapes: another shape means
/// the server is not the forge `--forge` says.
fn parse_as(
    body: &str,
    url: &str,
    spec: &RemoteSpec,
    want: &[super::protection::Shape],
    forge_name: &str,
) -> Result<Protection, RemoteError> {
    let mut p = super::protection::parse(body, url, &spec.branch)
        .map_err(|e| RemoteError::new(e.to_string()))?;
    // An empty list is Gitea's `branch_protections` of a repository without rules as much
    // as GitHub's `rules/branches` without rules.
    if p.shape == super::protection::Shape::GithubRulesets
        && want.contains(&super::protection::Shape::GiteaList)
        && serde_json::from_str::<Vec<serde_json::Value>>(body).is_ok_and(|v| v.is_empty())
    {
        p.shape = super::protection::Shape::GiteaList;
        p.nothing_required = Some(format!(
            "no protection rule applies to branch `{}`",
            spec.branch
        ));
    }
    if want.contains(&p.shape) {
        Ok(p)
    } else {
        Err(RemoteError::new(format!(
            "GET {url}: the server answered with a {} payload, not {forge_name}'s: is --forge right?",
            p.shape
        )))
    }
}

/// What a status means, for an error message: which permission is missing.
fn status_error(spec: &RemoteSpec, url: &str, a: &http::Answer, need: &str) -> RemoteError {
    let server_says = a
        .message()
        .map(|m| format!(": {}", text::shown(&m)))
        .unwrap_or_default();
    let who = match (spec.token_source, &spec.inferred) {
        (Some(var), _) => format!("the token from {var}"),
        (None, Some(i)) if i.token_withheld => format!(
            "an anonymous request ({} from the `origin` remote, and the token is only sent to a \
             server named by --server or GITHUB_SERVER_URL: name it to send the token)",
            i.what
        ),
        (None, _) => "no token (set GATELINT_TOKEN)".to_owned(),
    };
    let hint = match a.status {
        401 => format!("{who} was rejected: it is invalid or expired"),
        403 => format!("{who} lacks permission: {need}"),
        404 => format!(
            "not found: check the repository `{}` and branch `{}`, and that {who} can read them",
            spec.full_name(),
            spec.branch
        ),
        300..=399 => match a.headers.get("location").and_then(|l| l.to_str().ok()) {
            Some(to) => format!(
                "the server redirects to {}: give that address as --server",
                text::shown(to)
            ),
            None => "the server redirects; give its final address as --server".to_owned(),
        },
        _ => "the server failed".to_owned(),
    };
    RemoteError::new(format!(
        "GET {url}: HTTP {}{server_says} ({hint})",
        a.status
    ))
}

#[cfg(test)]
mod tests {
    use super::check_token;

    fn refusal(value: &str) -> String {
        check_token("GATELINT_TOKEN", value)
            .err()
            .map(|e| e.message)
            .unwrap_or_default()
    }

    #[test]
    fn tokens_must_be_visible_ascii() {
        assert!(check_token("GATELINT_TOKEN", "ghp_abc123-._~+/=").is_ok());
        for bad in [
            "zq9\n",
            "zq9\r\n",
            "zq9 \n",
            "zq9\u{1b}x",
            "\tzq9",
            "to k",
            "zq9é",
            "zq9\u{7f}",
        ] {
            let m = refusal(bad);
            assert!(
                m.starts_with("the token in GATELINT_TOKEN contains "),
                "{bad:?}: {m}"
            );
            assert!(!m.contains("zq9"), "{bad:?}: {m}");
        }
        assert!(refusal("zq9\n").contains("at its end: it was probably read from a file"));
        assert!(refusal("zq9\u{1b}x").contains("a control character (character 4)"));
    }
}
