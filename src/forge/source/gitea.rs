//! Gitea and Forgejo: `branch_protections` with the forge's rule selection, or the branch
//! itself when the token is not an admin (FORGE-SEMANTICS §5–6).

use super::{Fetched, RemoteError, RemoteSpec, parse_as, repo_url, segment, status_error};
use crate::forge::protection::{Protection, Shape};

fn parse(
    body: &str,
    url: &str,
    spec: &RemoteSpec,
    want: &[Shape],
) -> Result<Protection, RemoteError> {
    parse_as(body, url, spec, want, spec.forge.as_str())
}

pub async fn fetch(spec: &RemoteSpec) -> Result<Fetched, RemoteError> {
    let client = spec.client()?;
    let base = repo_url(spec);
    let list_url = format!("{base}/branch_protections");
    let a = client.get(&list_url).await?;
    match a.status {
        200 => {
            let p = parse(&a.body, &list_url, spec, &[Shape::GiteaList])?;
            let source = match &p.rule {
                Some(rule) => format!("branch_protections, rule `{}`", super::text::shown(rule)),
                None => "branch_protections (no rule applies)".to_owned(),
            };
            Ok(Fetched {
                protection: p,
                source,
            })
        }
        403 => {
            let url = format!("{base}/branches/{}", segment(&spec.branch));
            let b = client.get(&url).await?;
            if b.status != 200 {
                return Err(status_error(
                    spec,
                    &url,
                    &b,
                    "read access to the repository (scope read:repository)",
                ));
            }
            let p = parse(
                &b.body,
                &url,
                spec,
                &[Shape::GiteaBranch, Shape::GiteaSingle],
            )?;
            Ok(Fetched {
                protection: p,
                source: format!(
                    "branches/{} (the token cannot list branch_protections: that needs a repository admin)",
                    spec.branch
                ),
            })
        }
        _ => Err(status_error(
            spec,
            &list_url,
            &a,
            "listing branch_protections needs a repository admin token",
        )),
    }
}
