//! GET with timeouts, retries and rate limits, on octocrab's HTTP client (FORGE-SEMANTICS §6).
//!
//! Retried: connection errors and timeouts, 5xx, 429, and GitHub's rate-limit 403s. A wait the
//! server asks for (`retry-after`, `x-ratelimit-reset`) is honoured up to `max_wait`; longer is
//! an error. Nothing here ever formats the token.

use std::sync::Arc;
use std::sync::Mutex;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::time::{Duration, Instant, SystemTime, UNIX_EPOCH};

use http::HeaderMap;
use http_body_util::BodyExt as _;
use octocrab::Octocrab;

use super::{RemoteError, Secret};

/// The largest answer body read: a protection payload is a few kilobytes, a very large
/// ruleset page a few megabytes.
pub const MAX_BODY_BYTES: u64 = 32 * 1024 * 1024;

/// How patient the client is.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Limits {
    pub connect_timeout: Duration,
    /// For one whole request, headers and body.
    pub timeout: Duration,
    /// Attempts after the first.
    pub retries: u32,
    /// The longest a single wait (backoff or rate limit) may be.
    pub max_wait: Duration,
    /// The first backoff; it doubles with each retry.
    pub backoff: Duration,
}

impl Default for Limits {
    fn default() -> Self {
        Limits {
            connect_timeout: Duration::from_secs(10),
            timeout: Duration::from_secs(30),
            retries: 3,
            max_wait: Duration::from_secs(60),
            backoff: Duration::from_millis(500),
        }
    }
}

/// An answer: status, headers, body text.
#[derive(Debug)]
pub struct Answer {
    pub status: u16,
    pub headers: HeaderMap,
    pub body: String,
}

impl Answer {
    /// The `message` of a JSON error body, if there is one.
    pub fn message(&self) -> Option<String> {
        let v: serde_json::Value = serde_json::from_str(&self.body).ok()?;
        v.get("message")?.as_str().map(str::to_owned)
    }

    fn header(&self, name: &str) -> Option<&str> {
        self.headers.get(name)?.to_str().ok()
    }

    /// The URL of the next page from a `Link` header (`rel="next"`).
    pub fn next_page(&self) -> Option<String> {
        let link = self.header("link")?;
        link.split(',').find_map(|part| {
            let (url, rest) = part.split_once(';')?;
            rest.contains("rel=\"next\"").then(|| {
                url.trim()
                    .trim_start_matches('<')
                    .trim_end_matches('>')
                    .to_owned()
            })
        })
    }
}

/// How to send the token.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum AuthScheme {
    /// `Authorization: Bearer …` (GitHub).
    Bearer,
    /// `Authorization: token …` (Gitea, Forgejo).
    Token,
}

pub struct Client {
    octo: Octocrab,
    limits: Limits,
    budget: Option<Arc<Budget>>,
}

/// One rate budget for every client of a run (`audit --jobs N`): a wait the server asks of
/// one worker pauses them all, and every request is counted.
#[derive(Debug, Default)]
pub struct Budget {
    paused_until: Mutex<Option<Instant>>,
    requests: AtomicUsize,
    waits: AtomicUsize,
    /// The run's budget, when this one counts one repository's requests: pauses are the
    /// parent's, requests are counted in both.
    parent: Option<Arc<Budget>>,
}

impl Budget {
    /// A budget that counts its own requests and shares `parent`'s pauses and count.
    pub fn child(parent: &Arc<Budget>) -> Budget {
        Budget {
            parent: Some(Arc::clone(parent)),
            ..Budget::default()
        }
    }

    fn root(&self) -> &Budget {
        match &self.parent {
            Some(p) => p.root(),
            None => self,
        }
    }

    fn count(&self) {
        self.requests.fetch_add(1, Ordering::Relaxed);
        if let Some(p) = &self.parent {
            p.count();
        }
    }

    /// Requests sent so far, by every client sharing the budget.
    pub fn requests(&self) -> usize {
        self.requests.load(Ordering::Relaxed)
    }

    /// How many times the server asked to wait (rate limits, 429s).
    pub fn waits(&self) -> usize {
        self.waits.load(Ordering::Relaxed)
    }

    /// How long to wait before the next request, if the budget is paused.
    fn pause_left(&self) -> Option<Duration> {
        let until = (*self.root().paused_until.lock().ok()?)?;
        until.checked_duration_since(Instant::now())
    }

    /// Pause every client for `wait` (or longer, if already paused longer).
    fn pause(&self, wait: Duration) {
        let root = self.root();
        root.waits.fetch_add(1, Ordering::Relaxed);
        let until = Instant::now() + wait;
        if let Ok(mut p) = root.paused_until.lock() {
            *p = Some(p.map_or(until, |old| old.max(until)));
        }
    }
}

impl Client {
    /// A client for the API at `api`. octocrab sends a bearer token only to that host; the
    /// `token` header is sent with every request, and redirects are not followed, so neither
    /// reaches another host.
    pub fn new(
        api: &str,
        token: Option<&Secret>,
        scheme: AuthScheme,
        limits: Limits,
    ) -> Result<Self, RemoteError> {
        // Checked when read from the environment; again here, as a header value that does not
        // parse would panic in the client.
        if token.is_some_and(|t| !t.expose().bytes().all(|b| b.is_ascii_graphic())) {
            return Err(RemoteError::new(
                "the token is not a valid HTTP header value (the token is not shown)",
            ));
        }
        let mut builder = Octocrab::builder()
            .base_uri(api)
            .map_err(|_| RemoteError::new(format!("`{api}` is not a valid API address")))?
            .set_connect_timeout(Some(limits.connect_timeout))
            .set_read_timeout(Some(limits.timeout))
            .set_write_timeout(Some(limits.timeout));
        if let Some(token) = token {
            builder = match scheme {
                AuthScheme::Bearer => builder.personal_token(token.expose().to_owned()),
                AuthScheme::Token => builder.add_header(
                    http::header::AUTHORIZATION,
                    format!("token {}", token.expose()),
                ),
            };
        }
        let octo = builder
            .build()
            .map_err(|_| RemoteError::new("cannot set up the HTTP client"))?;
        Ok(Client {
            octo,
            limits,
            budget: None,
        })
    }

    /// Share `budget` with other clients: its pauses and its request count.
    pub fn with_budget(mut self, budget: Option<Arc<Budget>>) -> Self {
        self.budget = budget;
        self
    }

    /// Wait out a pause another client of the budget was asked for.
    async fn wait_for_budget(&self) {
        if let Some(left) = self.budget.as_ref().and_then(|b| b.pause_left()) {
            tokio::time::sleep(left).await;
        }
        if let Some(b) = &self.budget {
            b.count();
        }
    }

    /// POST a JSON `body` to `url` (GitHub's GraphQL endpoint), retrying as [`Client::get`]
    /// does.
    pub async fn post_json(
        &self,
        url: &str,
        body: &serde_json::Value,
    ) -> Result<Answer, RemoteError> {
        self.request(url, Some(body)).await
    }

    /// GET `url`, retrying as the module says. Any status is returned once retries are spent;
    /// errors are only for answers that never came.
    pub async fn get(&self, url: &str) -> Result<Answer, RemoteError> {
        self.request(url, None).await
    }

    async fn request(
        &self,
        url: &str,
        body: Option<&serde_json::Value>,
    ) -> Result<Answer, RemoteError> {
        let verb = if body.is_some() { "POST" } else { "GET" };
        let mut attempt = 0;
        loop {
            self.wait_for_budget().await;
            let result = tokio::time::timeout(self.limits.timeout, self.once(url, body)).await;
            let retry_in = match &result {
                Ok(Ok(answer)) => {
                    let wait = self.retry_delay(answer, attempt)?;
                    // A rate limit pauses every client of the budget, not only this one.
                    if let (Some(w), Some(b)) = (wait, &self.budget)
                        && (answer.status == 429 || answer.status == 403)
                    {
                        b.pause(w);
                    }
                    wait
                }
                Ok(Err(Failure::Fatal(e))) => return Err(e.clone()),
                Ok(Err(Failure::Transport(_))) | Err(_) => Some(self.backoff(attempt)),
            };
            match (retry_in, result) {
                (Some(wait), _) if attempt < self.limits.retries => {
                    attempt += 1;
                    tokio::time::sleep(wait).await;
                }
                (_, Ok(Ok(answer))) => return Ok(answer),
                (_, Ok(Err(Failure::Transport(e)))) => {
                    return Err(RemoteError::new(format!(
                        "{verb} {url} failed after {} attempts: {e}",
                        attempt + 1
                    )));
                }
                (_, Ok(Err(Failure::Fatal(e)))) => return Err(e),
                (_, Err(_)) => {
                    return Err(RemoteError::new(format!(
                        "{verb} {url} timed out after {} s ({} attempts)",
                        self.limits.timeout.as_secs_f64(),
                        attempt + 1
                    )));
                }
            }
        }
    }

    /// One GET. A body over [`MAX_BODY_BYTES`] is refused, not retried and never parsed in
    /// part: by its `Content-Length` before it is read, else by what was read.
    ///
    /// A body without a `Content-Length` (chunked) is read frame by frame and refused as soon
    /// as it passes the cap.
    async fn once(&self, url: &str, body: Option<&serde_json::Value>) -> Result<Answer, Failure> {
        let verb = if body.is_some() { "POST" } else { "GET" };
        let too_large = |size: String| {
            Failure::Fatal(RemoteError::new(format!(
                "{verb} {url}: the answer is larger than the {} MiB cap on API answers ({size}); \
                 a protection payload is never that large",
                MAX_BODY_BYTES / (1024 * 1024)
            )))
        };
        let response = match body {
            None => self.octo._get(url).await,
            Some(b) => self.octo._post(url, Some(b)).await,
        }
        .map_err(|e| Failure::Transport(describe(&e)))?;
        let status = response.status().as_u16();
        let headers = response.headers().clone();
        let declared = headers
            .get(http::header::CONTENT_LENGTH)
            .and_then(|v| v.to_str().ok())
            .and_then(|v| v.trim().parse::<u64>().ok());
        if let Some(n) = declared
            && n > MAX_BODY_BYTES
        {
            return Err(too_large(format!("Content-Length: {n} bytes")));
        }
        // Read frame by frame, stopping at the cap: a chunked answer (no Content-Length)
        // cannot make gatelint hold more than the cap.
        let mut stream = response.into_body();
        let mut bytes: Vec<u8> = Vec::new();
        while let Some(frame) = stream.frame().await {
            let frame = frame.map_err(|e| Failure::Transport(describe(&e)))?;
            if let Ok(data) = frame.into_data() {
                if (bytes.len() + data.len()) as u64 > MAX_BODY_BYTES {
                    return Err(too_large(format!("more than {MAX_BODY_BYTES} bytes sent")));
                }
                bytes.extend_from_slice(&data);
            }
        }
        let body = String::from_utf8(bytes).map_err(|e| {
            Failure::Fatal(RemoteError::new(format!(
                "{verb} {url}: the answer is not UTF-8 text (byte {})",
                e.utf8_error().valid_up_to()
            )))
        })?;
        Ok(Answer {
            status,
            headers,
            body,
        })
    }

    fn backoff(&self, attempt: u32) -> Duration {
        self.limits
            .backoff
            .saturating_mul(2u32.saturating_pow(attempt))
            .min(self.limits.max_wait)
    }

    /// `Some(wait)` when the answer should be retried after `wait`; an error when the server
    /// asks for a longer wait than allowed.
    fn retry_delay(&self, a: &Answer, attempt: u32) -> Result<Option<Duration>, RemoteError> {
        let rate_limited = a.status == 429
            || (a.status == 403
                && (a.header("retry-after").is_some()
                    || a.header("x-ratelimit-remaining") == Some("0")
                    || a.message()
                        .is_some_and(|m| m.to_ascii_lowercase().contains("rate limit"))));
        if rate_limited {
            let asked = if let Some(secs) = a
                .header("retry-after")
                .and_then(|v| v.trim().parse::<u64>().ok())
            {
                Some(Duration::from_secs(secs))
            } else if a.header("x-ratelimit-remaining") == Some("0") {
                let reset = a
                    .header("x-ratelimit-reset")
                    .and_then(|v| v.trim().parse::<u64>().ok())
                    .unwrap_or(0);
                let now = SystemTime::now()
                    .duration_since(UNIX_EPOCH)
                    .map_or(0, |d| d.as_secs());
                Some(Duration::from_secs(reset.saturating_sub(now)))
            } else {
                None
            };
            let wait = match asked {
                Some(w) => w,
                // No hint: at least a minute, then exponential (GitHub's advice).
                None => Duration::from_secs(60).saturating_mul(2u32.saturating_pow(attempt)),
            };
            if wait > self.limits.max_wait {
                return Err(RemoteError::new(format!(
                    "rate limited (HTTP {}): the server asks to wait {} s, more than the {} s allowed (--max-wait)",
                    a.status,
                    wait.as_secs(),
                    self.limits.max_wait.as_secs()
                )));
            }
            return Ok(Some(wait));
        }
        if a.status >= 500 {
            return Ok(Some(self.backoff(attempt)));
        }
        Ok(None)
    }
}

/// Why one GET gave no answer: a transport failure is retried, a fatal one is not.
#[derive(Debug)]
enum Failure {
    Transport(String),
    Fatal(RemoteError),
}

/// Whether `url` is on the same origin (scheme, host, port) as `base`, with no user
/// information: only then may a link the server gives (the next page) be followed.
pub fn same_origin(base: &str, url: &str) -> bool {
    fn origin(u: &str) -> Option<(String, String, u16)> {
        let uri: http::Uri = u.parse().ok()?;
        let scheme = uri.scheme_str()?.to_ascii_lowercase();
        let authority = uri.authority()?;
        if authority.as_str().contains('@') {
            return None;
        }
        let port = match (authority.port_u16(), scheme.as_str()) {
            (Some(p), _) => p,
            (None, "https") => 443,
            (None, "http") => 80,
            (None, _) => return None,
        };
        Some((scheme, authority.host().to_ascii_lowercase(), port))
    }
    match (origin(base), origin(url)) {
        (Some(a), Some(b)) => a == b,
        _ => false,
    }
}

/// An HTTP client error in one line, with its causes.
fn describe(e: &dyn std::error::Error) -> String {
    let mut out = e.to_string();
    let mut source = e.source();
    while let Some(s) = source {
        let text = s.to_string();
        if !out.contains(&text) {
            out.push_str(": ");
            out.push_str(&text);
        }
        source = s.source();
    }
    out
}

#[cfg(test)]
mod tests {
    use super::same_origin;

    #[test]
    fn origins() {
        let api = "http://127.0.0.1:8080/api/v3";
        assert!(same_origin(api, "http://127.0.0.1:8080/api/v3/x?page=2"));
        assert!(same_origin(api, "HTTP://127.0.0.1:8080/other"));
        assert!(!same_origin(api, "http://127.0.0.2:8080/api/v3/x"));
        assert!(!same_origin(api, "https://127.0.0.1:8080/api/v3/x"));
        assert!(!same_origin(api, "http://127.0.0.1:8081/api/v3/x"));
        assert!(!same_origin(api, "http://127.0.0.1/api/v3/x"));
        assert!(!same_origin(api, "http://u:p@127.0.0.1:8080/api/v3/x"));
        assert!(!same_origin(api, "/api/v3/x"));
        assert!(!same_origin(api, "not a url"));
        assert!(same_origin(
            "https://api.github.com",
            "https://API.github.com:443/repositories/1/rules?page=2"
        ));
        assert!(!same_origin(
            "https://api.github.com",
            "https://api.github.com.evil.example/x"
        ));
    }
}
