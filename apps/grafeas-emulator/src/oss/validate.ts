import type { Message } from './proto-json.js';

/**
 * The server-side checks of Grafeas v0.1.0, with its snake_case paths. Returns the problems in order
 * (the server prints them as a Go slice: `[a b]`). Vulnerability locations and versions follow
 * v0.1.0's validators (recorded in edge-exchanges.jsonl); other checks beyond the recorded ones are
 * the obvious required fields of each detail type.
 */
type Problems = string[];

function obj(value: unknown): Message | undefined {
  return value !== null && typeof value === 'object' && !Array.isArray(value)
    ? (value as Message)
    : undefined;
}

function need(problems: Problems, value: unknown, path: string): boolean {
  const missing =
    value === undefined ||
    value === '' ||
    value === 0 ||
    (typeof value === 'string' && /_UNSPECIFIED$/.test(value));
  if (missing) problems.push(`${path} is required`);
  return !missing;
}

/** A package version: NORMAL needs a name (MINIMUM and MAXIMUM do not); every version needs a kind. */
function version(problems: Problems, value: unknown, path: string): void {
  const v = obj(value) ?? {};
  if (v.kind === 'NORMAL' && !v.name) problems.push(`${path}.name is required`);
  need(problems, v.kind, `${path}.kind`);
}

/** A vulnerability location: cpe_uri, package and version are required. */
function location(problems: Problems, value: unknown, path: string): void {
  const loc = obj(value);
  if (!need(problems, loc, path)) return;
  need(problems, loc!.cpeUri, `${path}.cpe_uri`);
  need(problems, loc!.package, `${path}.package`);
  if (need(problems, obj(loc!.version), `${path}.version`))
    version(problems, loc!.version, `${path}.version`);
}

function attestation(problems: Problems, details: Message): void {
  const att = obj(details.attestation);
  if (!need(problems, att, 'attestation.attestation')) return;
  const pgp = obj(att!.pgpSignedAttestation);
  const generic = obj(att!.genericSignedAttestation);
  if (pgp) need(problems, pgp.signature, 'attestation.attestation.pgp_signed_attestation.signature');
  else if (generic)
    need(
      problems,
      generic.serializedPayload,
      'attestation.attestation.generic_signed_attestation.serialized_payload',
    );
  else problems.push('attestation.attestation.signature is required');
}

function vulnerability(problems: Problems, details: Message): void {
  const issues = details.packageIssue as Message[] | undefined;
  if (!issues || issues.length === 0) {
    problems.push('vulnerability.package_issue is required');
    return;
  }
  issues.forEach((issue, i) => {
    location(problems, issue.affectedLocation, `vulnerability.package_issue[${i}].affected_location`);
    if (obj(issue.fixedLocation))
      location(problems, issue.fixedLocation, `vulnerability.package_issue[${i}].fixed_location`);
  });
}

export function occurrenceProblems(o: Message): Problems {
  const problems: Problems = [];
  const resource = obj(o.resource);
  if (need(problems, resource, 'resource')) need(problems, resource!.uri, 'resource.uri');
  if (o.vulnerability) vulnerability(problems, o.vulnerability as Message);
  else if (o.attestation) attestation(problems, o.attestation as Message);
  else if (o.discovered) need(problems, obj((o.discovered as Message).discovered), 'discovered.discovered');
  else problems.push('details is required');
  return problems;
}

export function noteProblems(n: Message): Problems {
  const problems: Problems = [];
  if (n.vulnerability) {
    const details = ((n.vulnerability as Message).details as Message[] | undefined) ?? [];
    details.forEach((d, i) => {
      const path = `vulnerability.details[${i}]`;
      need(problems, d.cpeUri, `${path}.cpe_uri`);
      need(problems, d.package, `${path}.package`);
      if (obj(d.minAffectedVersion)) version(problems, d.minAffectedVersion, `${path}.min_affected_version`);
      if (obj(d.maxAffectedVersion)) version(problems, d.maxAffectedVersion, `${path}.max_affected_version`);
      if (obj(d.fixedLocation)) location(problems, d.fixedLocation, `${path}.fixed_location`);
    });
  } else if (n.discovery) {
    need(problems, (n.discovery as Message).analysisKind, 'discovery.analysis_kind');
  } else if (n.attestationAuthority) {
    const hint = obj((n.attestationAuthority as Message).hint);
    if (need(problems, hint, 'attestation_authority.hint')) {
      need(problems, hint!.humanReadableName, 'attestation_authority.hint.human_readable_name');
    }
  } else {
    problems.push('type is required');
  }
  return problems;
}
