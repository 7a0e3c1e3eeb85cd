/**
 * The v1beta1 messages of open-source Grafeas v0.1.0 that the emulator's OSS flavour stores: field
 * names, numbers and types (numbers size the gRPC message; names and types drive proto-JSON).
 */
export interface EnumDef {
  fullName: string;
  values: readonly string[];
}

type Scalar = 'string' | 'bool' | 'int32' | 'float' | 'bytes' | 'timestamp';

export interface FieldDef {
  /** JSON (lowerCamel) name; the proto (snake_case) name is derived. */
  name: string;
  no: number;
  type: Scalar | EnumDef | (() => MessageDef);
  repeated?: boolean;
  oneof?: string;
}

export interface MessageDef {
  fields: FieldDef[];
}

const e = (fullName: string, values: string[]): EnumDef => ({ fullName, values });
const m = (...fields: FieldDef[]): MessageDef => ({ fields });
const f = (name: string, no: number, type: FieldDef['type'], extra: Partial<FieldDef> = {}): FieldDef => ({
  name,
  no,
  type,
  ...extra,
});
const list = { repeated: true };

const NOTE_KIND = e('grafeas.v1beta1.NoteKind', [
  'NOTE_KIND_UNSPECIFIED',
  'VULNERABILITY',
  'BUILD',
  'IMAGE',
  'PACKAGE',
  'DEPLOYMENT',
  'DISCOVERY',
  'ATTESTATION',
]);
const SEVERITY = e('grafeas.v1beta1.vulnerability.Severity', [
  'SEVERITY_UNSPECIFIED',
  'MINIMAL',
  'LOW',
  'MEDIUM',
  'HIGH',
  'CRITICAL',
]);
const VERSION_KIND = e('grafeas.v1beta1.package.Version.VersionKind', [
  'VERSION_KIND_UNSPECIFIED',
  'NORMAL',
  'MINIMUM',
  'MAXIMUM',
]);
const HASH_TYPE = e('grafeas.v1beta1.provenance.Hash.HashType', ['HASH_TYPE_UNSPECIFIED', 'SHA256']);
const CONTENT_TYPE = e('grafeas.v1beta1.attestation.PgpSignedAttestation.ContentType', [
  'CONTENT_TYPE_UNSPECIFIED',
  'SIMPLE_SIGNING_JSON',
]);
const GENERIC_CONTENT_TYPE = e('grafeas.v1beta1.attestation.GenericSignedAttestation.ContentType', [
  'CONTENT_TYPE_UNSPECIFIED',
  'SIMPLE_SIGNING_JSON',
]);
const CONTINUOUS_ANALYSIS = e('grafeas.v1beta1.discovery.Discovered.ContinuousAnalysis', [
  'CONTINUOUS_ANALYSIS_UNSPECIFIED',
  'ACTIVE',
  'INACTIVE',
]);
const ANALYSIS_STATUS = e('grafeas.v1beta1.discovery.Discovered.AnalysisStatus', [
  'ANALYSIS_STATUS_UNSPECIFIED',
  'PENDING',
  'SCANNING',
  'FINISHED_SUCCESS',
  'FINISHED_FAILED',
  'FINISHED_UNSUPPORTED',
]);
const cvssEnum = (name: string, values: string[]) =>
  e(`grafeas.v1beta1.vulnerability.CVSSv3.${name}`, values);

const RelatedUrl = () => m(f('url', 1, 'string'), f('label', 2, 'string'));
const Status = () => m(f('code', 1, 'int32'), f('message', 2, 'string'));
const Hash = () => m(f('type', 1, HASH_TYPE), f('value', 2, 'bytes'));
const Resource = () => m(f('name', 1, 'string'), f('uri', 2, 'string'), f('contentHash', 3, Hash));
const Version = () =>
  m(f('epoch', 1, 'int32'), f('name', 2, 'string'), f('revision', 3, 'string'), f('kind', 4, VERSION_KIND));
const VulnerabilityLocation = () =>
  m(f('cpeUri', 1, 'string'), f('package', 2, 'string'), f('version', 3, Version));

const CVSSv3 = () =>
  m(
    f('baseScore', 1, 'float'),
    f('exploitabilityScore', 2, 'float'),
    f('impactScore', 3, 'float'),
    f(
      'attackVector',
      5,
      cvssEnum('AttackVector', [
        'ATTACK_VECTOR_UNSPECIFIED',
        'ATTACK_VECTOR_NETWORK',
        'ATTACK_VECTOR_ADJACENT',
        'ATTACK_VECTOR_LOCAL',
        'ATTACK_VECTOR_PHYSICAL',
      ]),
    ),
    f(
      'attackComplexity',
      6,
      cvssEnum('AttackComplexity', [
        'ATTACK_COMPLEXITY_UNSPECIFIED',
        'ATTACK_COMPLEXITY_LOW',
        'ATTACK_COMPLEXITY_HIGH',
      ]),
    ),
    f(
      'privilegesRequired',
      7,
      cvssEnum('PrivilegesRequired', [
        'PRIVILEGES_REQUIRED_UNSPECIFIED',
        'PRIVILEGES_REQUIRED_NONE',
        'PRIVILEGES_REQUIRED_LOW',
        'PRIVILEGES_REQUIRED_HIGH',
      ]),
    ),
    f(
      'userInteraction',
      8,
      cvssEnum('UserInteraction', [
        'USER_INTERACTION_UNSPECIFIED',
        'USER_INTERACTION_NONE',
        'USER_INTERACTION_REQUIRED',
      ]),
    ),
    f('scope', 9, cvssEnum('Scope', ['SCOPE_UNSPECIFIED', 'SCOPE_UNCHANGED', 'SCOPE_CHANGED'])),
    f(
      'confidentialityImpact',
      10,
      cvssEnum('Impact', ['IMPACT_UNSPECIFIED', 'IMPACT_HIGH', 'IMPACT_LOW', 'IMPACT_NONE']),
    ),
    f(
      'integrityImpact',
      11,
      cvssEnum('Impact', ['IMPACT_UNSPECIFIED', 'IMPACT_HIGH', 'IMPACT_LOW', 'IMPACT_NONE']),
    ),
    f(
      'availabilityImpact',
      12,
      cvssEnum('Impact', ['IMPACT_UNSPECIFIED', 'IMPACT_HIGH', 'IMPACT_LOW', 'IMPACT_NONE']),
    ),
  );

const VulnerabilityDetail = () =>
  m(
    f('cpeUri', 1, 'string'),
    f('package', 2, 'string'),
    f('minAffectedVersion', 3, Version),
    f('maxAffectedVersion', 4, Version),
    f('severityName', 5, 'string'),
    f('description', 6, 'string'),
    f('fixedLocation', 7, VulnerabilityLocation),
    f('packageType', 8, 'string'),
    f('isObsolete', 9, 'bool'),
    f('sourceUpdateTime', 10, 'timestamp'),
  );
const KnowledgeBase = () => m(f('name', 1, 'string'), f('url', 2, 'string'));
const WindowsDetail = () =>
  m(
    f('cpeUri', 1, 'string'),
    f('name', 2, 'string'),
    f('description', 3, 'string'),
    f('fixedKbs', 4, KnowledgeBase, list),
  );
const VulnerabilityNote = () =>
  m(
    f('cvssScore', 1, 'float'),
    f('severity', 2, SEVERITY),
    f('details', 3, VulnerabilityDetail, list),
    f('cvssV3', 4, CVSSv3),
    f('windowsDetails', 5, WindowsDetail, list),
    f('sourceUpdateTime', 6, 'timestamp'),
  );
const PackageIssue = () =>
  m(
    f('affectedLocation', 1, VulnerabilityLocation),
    f('fixedLocation', 2, VulnerabilityLocation),
    f('severityName', 3, 'string'),
  );
const VulnerabilityDetails = () =>
  m(
    f('type', 1, 'string'),
    f('severity', 2, SEVERITY),
    f('cvssScore', 3, 'float'),
    f('packageIssue', 4, PackageIssue, list),
    f('shortDescription', 5, 'string'),
    f('longDescription', 6, 'string'),
    f('relatedUrls', 7, RelatedUrl, list),
    f('effectiveSeverity', 8, SEVERITY),
  );

const Discovery = () => m(f('analysisKind', 1, NOTE_KIND));
const Discovered = () =>
  m(
    f('continuousAnalysis', 1, CONTINUOUS_ANALYSIS),
    f('lastAnalysisTime', 2, 'timestamp'),
    f('analysisStatus', 3, ANALYSIS_STATUS),
    f('analysisStatusError', 4, Status),
  );
const DiscoveryDetails = () => m(f('discovered', 1, Discovered));

const Hint = () => m(f('humanReadableName', 1, 'string'));
const Authority = () => m(f('hint', 1, Hint));
const PgpSignedAttestation = () =>
  m(
    f('signature', 1, 'string'),
    f('contentType', 3, CONTENT_TYPE),
    f('pgpKeyId', 2, 'string', { oneof: 'keyId' }),
  );
const SignatureBytes = () => m(f('signature', 1, 'bytes'), f('publicKeyId', 2, 'string'));
const GenericSignedAttestation = () =>
  m(
    f('contentType', 1, GENERIC_CONTENT_TYPE),
    f('serializedPayload', 2, 'bytes'),
    f('signatures', 3, SignatureBytes, list),
  );
const Attestation = () =>
  m(
    f('pgpSignedAttestation', 1, PgpSignedAttestation, { oneof: 'signature' }),
    f('genericSignedAttestation', 2, GenericSignedAttestation, { oneof: 'signature' }),
  );
const AttestationDetails = () => m(f('attestation', 1, Attestation));

export const NOTE: MessageDef = m(
  f('name', 1, 'string'),
  f('shortDescription', 2, 'string'),
  f('longDescription', 3, 'string'),
  f('kind', 4, NOTE_KIND),
  f('relatedUrl', 5, RelatedUrl, list),
  f('expirationTime', 6, 'timestamp'),
  f('createTime', 7, 'timestamp'),
  f('updateTime', 8, 'timestamp'),
  f('relatedNoteNames', 9, 'string', list),
  f('vulnerability', 10, VulnerabilityNote, { oneof: 'type' }),
  f('discovery', 15, Discovery, { oneof: 'type' }),
  f('attestationAuthority', 16, Authority, { oneof: 'type' }),
);

export const OCCURRENCE: MessageDef = m(
  f('name', 1, 'string'),
  f('resource', 2, Resource),
  f('noteName', 3, 'string'),
  f('kind', 4, NOTE_KIND),
  f('remediation', 5, 'string'),
  f('createTime', 6, 'timestamp'),
  f('updateTime', 7, 'timestamp'),
  f('vulnerability', 8, VulnerabilityDetails, { oneof: 'details' }),
  f('discovered', 13, DiscoveryDetails, { oneof: 'details' }),
  f('attestation', 14, AttestationDetails, { oneof: 'details' }),
);

/** The gRPC request messages, for their encoded size (the server's 4 MiB receive limit). */
export const CREATE_NOTE_REQUEST = m(
  f('parent', 1, 'string'),
  f('noteId', 2, 'string'),
  f('note', 3, () => NOTE),
);
export const CREATE_OCCURRENCE_REQUEST = m(
  f('parent', 1, 'string'),
  f('occurrence', 2, () => OCCURRENCE),
);
export const BATCH_CREATE_OCCURRENCES_REQUEST = m(
  f('parent', 1, 'string'),
  f('occurrences', 2, () => OCCURRENCE, list),
);
