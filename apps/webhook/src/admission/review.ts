import { z } from 'zod';

const ADMISSION_V1 = 'admission.k8s.io/v1';
const ADMISSION_V1BETA1 = 'admission.k8s.io/v1beta1';
export type AdmissionApiVersion = typeof ADMISSION_V1 | typeof ADMISSION_V1BETA1;

const groupVersionKind = z.object({ group: z.string(), version: z.string(), kind: z.string() });
const groupVersionResource = z.object({ group: z.string(), version: z.string(), resource: z.string() });
/** The object is the workload itself: only its being an object matters here (checking every key costs). */
const kubeObject = z.custom<Record<string, unknown>>(
  (value) => typeof value === 'object' && value !== null && !Array.isArray(value),
  { error: 'expected an object' },
);

/** Only the fields Signet reads are checked; the rest of the review is carried through untouched. */
const admissionRequest = z.looseObject({
  uid: z.string().min(1).max(256),
  kind: groupVersionKind,
  resource: groupVersionResource,
  subResource: z.string().optional(),
  name: z.string().optional(),
  namespace: z.string().optional(),
  operation: z.enum(['CREATE', 'UPDATE', 'DELETE', 'CONNECT']),
  userInfo: z.looseObject({ username: z.string().optional() }).optional(),
  object: kubeObject.nullable().optional(),
  oldObject: kubeObject.nullable().optional(),
  dryRun: z.boolean().optional(),
});

const admissionReview = z.object({
  apiVersion: z.enum([ADMISSION_V1, ADMISSION_V1BETA1]),
  kind: z.literal('AdmissionReview'),
  request: admissionRequest,
});

type AdmissionRequest = z.infer<typeof admissionRequest>;
export interface ParsedReview {
  apiVersion: AdmissionApiVersion;
  request: AdmissionRequest;
}

export type ReviewParseResult = { ok: true; review: ParsedReview } | { ok: false; problems: string[] };

/** Turns an untrusted JSON value into a review, or the list of what is wrong with it. Never throws. */
export function parseAdmissionReview(body: unknown): ReviewParseResult {
  const result = admissionReview.safeParse(body);
  if (result.success) return { ok: true, review: result.data };
  return {
    ok: false,
    problems: result.error.issues
      .slice(0, 10)
      .map((issue) => `${issue.path.join('.') || '(body)'}: ${issue.message}`),
  };
}
