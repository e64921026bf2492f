/**
 * Where the runbooks are read: docs/runbooks.md of this repository, at the revision Argo CD follows
 * (kvfleet.config.ts `repoURL` and `targetRevision`), so an alert always links the runbook that
 * shipped with the rules that fired it.
 */

/** The runbook file, relative to the repository root. */
export const RUNBOOKS_FILE = 'docs/runbooks.md';

/**
 * The browsable address of `RUNBOOKS_FILE` in the repository Argo CD clones: `.git` dropped, an SSH
 * address (`git@host:org/repo.git`, `ssh://git@host/org/repo.git`) turned into https, then
 * `/blob/<revision>/docs/runbooks.md` (GitHub's layout; GitLab and Gitea redirect it).
 */
export function runbooksUrl(repoURL: string, targetRevision: string): string {
  const scp = /^[A-Za-z0-9._-]+@([A-Za-z0-9.-]+):(.+)$/.exec(repoURL);
  let base: string;
  if (scp) {
    base = `https://${scp[1]}/${scp[2]}`;
  } else {
    const url = new URL(repoURL);
    base = `https://${url.host}${url.pathname}`;
  }
  base = base.replace(/\/+$/, '').replace(/\.git$/, '');
  return `${base}/blob/${targetRevision}/${RUNBOOKS_FILE}`;
}

/** The anchor GitHub gives a `## <AlertName>` heading: the name lower-cased. */
export function runbookAnchor(alertName: string): string {
  return alertName.toLowerCase();
}
