import {
  collectNamespacePolicies,
  FOLDER_POLICY_KINDS,
  type InvalidResource,
  type NamespacePolicies,
  type PolicyResource,
  parsePolicyResource,
} from '@signet/policy';
import type { Logger } from 'pino';
import type { PolicyDocument, PolicyProblem, PolicySnapshot, PolicySource } from './policy-source.js';

const ENFORCED_KINDS = new Set(FOLDER_POLICY_KINDS);

type ParsedEntry = { ok: true; value: PolicyResource } | { ok: false; invalid: InvalidResource };

/**
 * Turns a policy snapshot into what `decide` needs for one namespace. Parsing happens once per
 * snapshot generation; the per-namespace view is memoised until the next change.
 */
export class NamespacePolicyResolver {
  private snapshotGeneration = -1;
  private entries: ParsedEntry[] = [];
  private problems: readonly PolicyProblem[] = [];
  private readonly byNamespace = new Map<string, NamespacePolicies>();

  constructor(
    private readonly source: PolicySource,
    private readonly logger?: Logger,
  ) {}

  /** The generation of the snapshot last resolved (changes whenever the policies do). */
  get generation(): number {
    return this.snapshotGeneration;
  }

  /** The notes of every AttestationAuthority, in any namespace. */
  noteNames(): string[] {
    this.refresh(this.source.snapshot());
    const notes = new Set<string>();
    for (const entry of this.entries) {
      // A cosign-only authority has no note: its evidence is in the registry, not in an index.
      if (entry.ok && entry.value.kind === 'AttestationAuthority' && entry.value.noteName !== undefined)
        notes.add(entry.value.noteName);
    }
    return [...notes];
  }

  /**
   * The GCR and Artifact Registry projects the policies' allowlists name (`gcr.io/P/…`,
   * `LOC-docker.pkg.dev/P/…`): where their images' vulnerabilities are. None without an
   * ImageSecurityPolicy, since nothing then reads a project.
   */
  projectNames(): string[] {
    this.refresh(this.source.snapshot());
    const resources = this.entries.flatMap((entry) => (entry.ok ? [entry.value] : []));
    if (!resources.some((resource) => resource.kind === 'ImageSecurityPolicy')) return [];
    const projects = new Set<string>();
    for (const resource of resources) {
      const patterns =
        resource.kind === 'GenericAttestationPolicy'
          ? resource.allowlistPatterns
          : resource.kind === 'ImageSecurityPolicy'
            ? resource.imageAllowlist
            : [];
      for (const pattern of patterns) {
        const project = registryProjectOf(pattern);
        if (project) projects.add(project);
      }
    }
    return [...projects];
  }

  forNamespace(namespace: string): NamespacePolicies {
    this.refresh(this.source.snapshot());
    let policies = this.byNamespace.get(namespace);
    if (!policies) {
      policies = collectNamespacePolicies(this.entries, namespace);
      for (const problem of this.problems) {
        if (problem.namespace === undefined || problem.namespace === namespace) {
          policies.invalid.push(problemAsInvalid(problem, namespace));
        }
      }
      this.byNamespace.set(namespace, policies);
    }
    return policies;
  }

  private refresh(snapshot: PolicySnapshot): void {
    if (snapshot.generation === this.snapshotGeneration) return;
    this.snapshotGeneration = snapshot.generation;
    this.byNamespace.clear();
    this.problems = snapshot.problems;
    this.entries = [];
    const notices: string[] = [];
    for (const document of snapshot.documents) {
      const entry = parseDocument(document, notices);
      if (entry) this.entries.push(entry);
    }
    const invalid = this.entries.filter((e) => !e.ok).length + snapshot.problems.length;
    this.logger?.info(
      { generation: snapshot.generation, resources: this.entries.length - invalid, invalid, notices },
      'policies parsed',
    );
  }
}

function parseDocument(document: PolicyDocument, notices: string[]): ParsedEntry | undefined {
  const value = document.document;
  const record =
    typeof value === 'object' && value !== null && !Array.isArray(value)
      ? (value as Record<string, unknown>)
      : undefined;
  const kind = typeof record?.kind === 'string' ? record.kind : '';
  if (record && !ENFORCED_KINDS.has(kind)) return notAPolicy(document, kind, record.apiVersion);
  // The namespace the resource lives in is the source's (metadata.namespace, folder or cluster).
  const metadata =
    record && typeof record.metadata === 'object' && record.metadata !== null ? record.metadata : {};
  const placed = record ? { ...record, metadata: { ...metadata, namespace: document.namespace } } : value;
  const parsed = parsePolicyResource(placed);
  if (parsed.ok) {
    notices.push(...parsed.notices);
    return { ok: true, value: parsed.value };
  }
  const invalid = { ...parsed.invalid, namespace: document.namespace };
  invalid.issues = invalid.issues.map((issue) => ({
    ...issue,
    message: `${issue.message} (${document.source})`,
  }));
  return { ok: false, invalid };
}

/** A source holds policies only: anything else is an error that fails its namespace closed, never a notice. */
function notAPolicy(document: PolicyDocument, kind: string, apiVersion: unknown): ParsedEntry {
  const version = typeof apiVersion === 'string' ? ` (${apiVersion})` : '';
  const issue = {
    field: 'kind',
    message: `${kind || '(no kind)'}${version} is not a policy kind (${document.source})`,
    fix: `keep only ${FOLDER_POLICY_KINDS.join(', ')} resources (kritis.grafeas.io/v1beta1), or a v1 List of them, among the policies`,
  };
  return {
    ok: false,
    invalid: {
      kind: kind || '(no kind)',
      name: document.source,
      namespace: document.namespace,
      issues: [issue],
    },
  };
}

function problemAsInvalid(problem: PolicyProblem, namespace: string): InvalidResource {
  return {
    kind: 'policy file',
    name: problem.source,
    namespace,
    issues: [
      {
        field: '(document)',
        message: problem.message,
        fix: 'correct the file; until then this namespace fails closed',
      },
    ],
  };
}

const REGISTRY_PROJECT = /^(?:[a-z0-9-]+\.)?gcr\.io\/|^[a-z0-9-]+-docker\.pkg\.dev\//;

/** The project of an allowlist pattern on GCR or Artifact Registry, when the pattern spells it out. */
export function registryProjectOf(pattern: string): string | undefined {
  const registry = REGISTRY_PROJECT.exec(pattern);
  if (!registry) return undefined;
  const [first, second] = pattern.slice(registry[0].length).split('/');
  const literal = (part: string | undefined) => part !== undefined && /^[a-z0-9.:_-]+$/.test(part);
  if (!literal(first)) return undefined;
  // Domain-scoped projects (`gcr.io/example.com/p`) are `example.com:p`, as vulnerabilityProjectFor says.
  if (first?.includes('.')) return literal(second) ? `${first}:${second}` : undefined;
  return first;
}
