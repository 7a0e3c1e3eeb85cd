import { readFileSync } from 'node:fs';
import { Ajv, type ErrorObject, type ValidateFunction } from 'ajv';
import { type KubeObject, parseObjects } from '../guide-commands.js';

/**
 * Validates custom resources against the `openAPIV3Schema` of the CRDs in a file, as the API server
 * does under kubectl's default strict field validation: a field a structural schema does not declare
 * is an error (`field not declared in schema`), not silently pruned. Messages follow the API
 * server's wording: `spec.x: Unsupported value: "V": supported values: "A", "B"`.
 */
export class CrdValidator {
  private readonly validators = new Map<string, ValidateFunction>();

  constructor(crdsFile: string) {
    const ajv = new Ajv({ allErrors: true, strict: false });
    for (const crd of parseObjects(readFileSync(crdsFile, 'utf8'))) {
      const spec = crd.spec as CrdSpec;
      for (const version of spec.versions) {
        const schema = closeObjects(structuredClone(version.schema.openAPIV3Schema), true);
        this.validators.set(`${spec.group}/${version.name} ${spec.names.kind}`, ajv.compile(schema));
      }
    }
  }

  kinds(): string[] {
    return [...this.validators.keys()].sort();
  }

  /** Readable problems, one per line, as `kubectl apply` would print them; empty when valid. */
  problems(object: KubeObject): string[] {
    const validate = this.validators.get(`${object.apiVersion} ${object.kind}`);
    if (!validate) return [`no CRD serves ${object.apiVersion} ${object.kind}`];
    if (validate(object)) return [];
    return (validate.errors ?? []).map((error) => describe(error, object)).sort();
  }
}

interface CrdSpec {
  group: string;
  names: { kind: string };
  versions: { name: string; schema: { openAPIV3Schema: Record<string, unknown> } }[];
}

/** Every declared object refuses undeclared fields, except where the schema opens it on purpose. */
function closeObjects(schema: Record<string, unknown>, isRoot: boolean): Record<string, unknown> {
  const properties = schema.properties as Record<string, Record<string, unknown>> | undefined;
  const open = schema['x-kubernetes-preserve-unknown-fields'] === true || 'additionalProperties' in schema;
  if (schema.type === 'object' && properties && !open) schema.additionalProperties = false;
  for (const [name, child] of Object.entries(properties ?? {})) {
    // The API server validates metadata itself (ObjectMeta), whatever the CRD says.
    if (isRoot && name === 'metadata') continue;
    closeObjects(child, false);
  }
  if (schema.items && typeof schema.items === 'object')
    closeObjects(schema.items as Record<string, unknown>, false);
  return schema;
}

function describe(error: ErrorObject, object: KubeObject): string {
  const field = error.instancePath
    .slice(1)
    .replace(/\/(\d+)(?=\/|$)/g, '[$1]')
    .replace(/\//g, '.');
  const value = error.instancePath
    .split('/')
    .slice(1)
    .reduce<unknown>((v, k) => (v as Record<string, unknown>)?.[k], object);
  switch (error.keyword) {
    case 'additionalProperties':
      return `${field ? `${field}.` : ''}${(error.params as { additionalProperty: string }).additionalProperty}: field not declared in schema`;
    case 'enum': {
      const allowed = (error.params as { allowedValues: unknown[] }).allowedValues
        .map((v) => JSON.stringify(v))
        .join(', ');
      return `${field}: Unsupported value: ${JSON.stringify(value)}: supported values: ${allowed}`;
    }
    case 'required':
      return `${field ? `${field}.` : ''}${(error.params as { missingProperty: string }).missingProperty}: Required value`;
    case 'pattern':
      return `${field}: Invalid value: ${JSON.stringify(value)}: ${field} in body should match '${(error.params as { pattern: string }).pattern}'`;
    case 'type':
      return `${field}: Invalid value: ${JSON.stringify(value)}: ${field} in body must be of type ${(error.params as { type: string }).type}`;
    default:
      return `${field}: ${error.message ?? error.keyword}`;
  }
}
