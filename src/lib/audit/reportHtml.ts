// The human-readable report for auditors (pure): summary counts, findings by severity, per cluster and database
// tables. Every value from Azure or the registry is HTML-escaped; no scripts, no external resources.
import { severities, type AuditFinding, type AuditReport } from "./model";

export function escapeHtml(value: unknown): string {
  return String(value ?? "").replace(/[&<>"']/g, (c) => ({ "&": "&amp;", "<": "&lt;", ">": "&gt;", '"': "&quot;", "'": "&#39;" })[c] as string);
}

const row = (cells: unknown[], tag = "td") => `<tr>${cells.map((c) => `<${tag}>${escapeHtml(c)}</${tag}>`).join("")}</tr>`;
const table = (header: string[], rows: unknown[][]) =>
  rows.length === 0 ? "<p>None.</p>" : `<table><thead>${row(header, "th")}</thead><tbody>${rows.map((r) => row(r)).join("")}</tbody></table>`;

function findingRows(findings: readonly AuditFinding[]): unknown[][] {
  return findings.map((f) => [
    f.type,
    f.clusterId.split("/").pop() ?? "",
    f.database ?? "",
    f.connectionName ?? "",
    f.message,
    f.remediation ? `${f.remediation.action}: ${f.remediation.status}${f.remediation.reason ? ` (${f.remediation.reason})` : ""}` : "",
  ]);
}

export function toReportHtml(report: AuditReport): string {
  const s = report.summary;
  const all = [...report.findings, ...report.clusters.flatMap((c) => c.findings)];
  const bySeverity = severities
    .map((sev) => {
      const found = all.filter((f) => f.severity === sev);
      return `<h3>${escapeHtml(sev)} (${found.length})</h3>${table(["type", "cluster", "database", "connection", "finding", "remediation"], findingRows(found))}`;
    })
    .join("");
  const clusters = report.clusters
    .map((c) => {
      const dbs = c.databases.map((d) => [d.name, d.listed ? "yes" : "no", d.connections, d.managed, c.findings.filter((f) => f.database === d.name).length, d.error ?? ""]);
      return (
        `<h3>${escapeHtml(c.clusterId)}</h3><p>status: ${escapeHtml(c.status)}; attempt ${escapeHtml(c.attempt)}${c.problems.length ? `; ${escapeHtml(c.problems.join("; "))}` : ""}</p>` +
        table(["database", "listed", "connections", "managed", "findings", "note"], dbs)
      );
    })
    .join("");
  const summary = table(
    ["measure", "value"],
    [
      ["status", report.status],
      ["mode", report.mode],
      ["trigger", report.trigger],
      ["started", report.startedAt],
      ["completed", report.completedAt],
      ["clusters (audited / failed / never reported)", `${s.clusters} (${s.clustersAudited} / ${s.clustersFailed} / ${s.clustersMissing})`],
      ["databases (not listed)", `${s.databases} (${s.databasesUnlisted})`],
      ["data connections (managed)", `${s.connections} (${s.managed})`],
      ["findings", s.findings],
      ...severities.map((sev) => [`  ${sev}`, s.bySeverity[sev]]),
      ...Object.entries(s.byType).filter(([, n]) => n > 0).map(([t, n]) => [`  ${t}`, n]),
      ["remediated (failed)", `${s.remediated} (${s.remediationsFailed})`],
    ],
  );
  const planning = report.planningProblems.length ? `<h2>Planning problems</h2><ul>${report.planningProblems.map((p) => `<li>${escapeHtml(p)}</li>`).join("")}</ul>` : "";
  return (
    `<!doctype html><html lang="en"><head><meta charset="utf-8"><title>Audit ${escapeHtml(report.runId)}</title>` +
    `<style>body{font-family:sans-serif;margin:2em}table{border-collapse:collapse;margin-bottom:1em}td,th{border:1px solid #999;padding:.2em .5em;text-align:left}</style></head><body>` +
    `<h1>ADX data connection audit ${escapeHtml(report.runId)}</h1>` +
    `${report.status === "incomplete" ? "<p><strong>Incomplete: parts were not audited; no conclusion is drawn about them.</strong></p>" : ""}` +
    `<h2>Summary</h2>${summary}${planning}<h2>Findings by severity</h2>${bySeverity}<h2>Clusters and databases</h2>${clusters || "<p>None.</p>"}</body></html>`
  );
}
