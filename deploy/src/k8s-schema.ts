import * as clientModels from '@kubernetes/client-node';
import type { KubeObject } from './guide-commands.js';

/**
 * Checks an object against the Kubernetes API's own schemas, two ways:
 * - kubernetes-models (validators generated from the OpenAPI spec of a current Kubernetes release):
 *   types, required fields, enums;
 * - unknown fields, as the API server's strict field validation (kubectl's default) refuses them,
 *   using the field lists of @kubernetes/client-node's models (generated from the same OpenAPI spec).
 * Returns readable problems; an empty list means valid.
 */
export async function kubernetesSchemaProblems(object: KubeObject): Promise<string[]> {
  const model = await loadModel(object.apiVersion, object.kind);
  if (!model) return [`no schema for ${object.apiVersion} ${object.kind}`];
  const problems: string[] = [];
  try {
    new model(object).validate();
  } catch (error) {
    problems.push((error as Error).message);
  }
  const version = object.apiVersion.split('/').pop() ?? '';
  problems.push(...unknownFields(object, `${capitalize(version)}${object.kind}`, ''));
  return problems;
}

type ModelClass = new (data: unknown) => { validate(): void };

async function loadModel(apiVersion: string, kind: string): Promise<ModelClass | undefined> {
  try {
    const module = (await import(`kubernetes-models/${apiVersion}/${kind}`)) as Record<string, ModelClass>;
    return module[kind];
  } catch {
    return undefined;
  }
}

type AttributeMap = { baseName: string; type: string }[];
const models = clientModels as unknown as Record<
  string,
  { getAttributeTypeMap?: () => AttributeMap } | undefined
>;

function unknownFields(value: unknown, typeName: string, path: string): string[] {
  if (value === null || value === undefined) return [];
  const arrayOf = /^Array<(.+)>$/.exec(typeName);
  if (arrayOf) {
    return Array.isArray(value)
      ? value.flatMap((item, i) => unknownFields(item, arrayOf[1] ?? '', `${path}[${i}]`))
      : [];
  }
  const mapOf = /^\{ \[key: string\]: (.+); \}$/.exec(typeName);
  if (mapOf) {
    return Object.entries(value as object).flatMap(([key, item]) =>
      unknownFields(item, mapOf[1] ?? '', `${path}.${key}`),
    );
  }
  const attributes = models[typeName]?.getAttributeTypeMap?.();
  if (!attributes || typeof value !== 'object' || Array.isArray(value)) return [];
  const known = new Map(attributes.map((a) => [a.baseName, a.type]));
  return Object.entries(value as Record<string, unknown>).flatMap(([key, item]) => {
    const type = known.get(key);
    return type === undefined
      ? [`${path}.${key}: field not declared in schema`]
      : unknownFields(item, type, `${path}.${key}`);
  });
}

function capitalize(text: string): string {
  return text.charAt(0).toUpperCase() + text.slice(1);
}
