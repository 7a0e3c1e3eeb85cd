import { z } from 'zod';
import { CLUSTER_KINDS } from './schemas/resources.js';

const GROUP = 'kritis.grafeas.io';
const VERSION = 'v1beta1';

type JsonSchema = { [key: string]: unknown };

/**
 * The CustomResourceDefinitions of the cluster kinds, generated from the same zod schemas that
 * `parse*` uses, so `kubectl apply` refuses what Signet would refuse (one source of truth).
 */
export function buildCrds(): JsonSchema[] {
  return Object.entries(CLUSTER_KINDS).map(([kind, { plural, spec }]) => ({
    apiVersion: 'apiextensions.k8s.io/v1',
    kind: 'CustomResourceDefinition',
    metadata: { name: `${plural}.${GROUP}` },
    spec: {
      group: GROUP,
      scope: 'Namespaced',
      names: { kind, listKind: `${kind}List`, plural, singular: kind.toLowerCase() },
      versions: [
        {
          name: VERSION,
          served: true,
          storage: true,
          schema: {
            openAPIV3Schema: {
              type: 'object',
              required: ['spec'],
              properties: {
                apiVersion: { type: 'string' },
                kind: { type: 'string' },
                metadata: { type: 'object' },
                spec: structural(
                  z.toJSONSchema(spec, { io: 'input', unrepresentable: 'throw' }) as JsonSchema,
                ),
              },
            },
          },
        },
      ],
    },
  }));
}

/**
 * Turns zod's JSON Schema into a Kubernetes structural schema: no `$schema`, no
 * `additionalProperties` beside `properties` (the API server forbids both together and prunes
 * unknown fields anyway), `const` as a one-value `enum`.
 */
function structural(schema: JsonSchema): JsonSchema {
  const out: JsonSchema = {};
  for (const [key, value] of Object.entries(schema)) {
    if (key === '$schema' || key === 'additionalProperties' || key === 'default') continue;
    if (key === 'const') out.enum = [value];
    else if (key === 'properties')
      out.properties = mapValues(value as Record<string, JsonSchema>, structural);
    else if (key === 'items') out.items = structural(value as JsonSchema);
    else out[key] = value;
  }
  return out;
}

function mapValues<T, U>(record: Record<string, T>, f: (value: T) => U): Record<string, U> {
  return Object.fromEntries(Object.entries(record).map(([key, value]) => [key, f(value)]));
}
