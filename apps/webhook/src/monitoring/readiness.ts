/** What GET /readyz reports: each part that can hold the webhook back (policies, the index) gives one. */
export interface Readiness {
  ready: boolean;
  /** Why the server is not ready (empty when it is). */
  reasons: string[];
  /** What is being filled (index scopes reading for the first time), ready or not. */
  warming?: string[];
}
