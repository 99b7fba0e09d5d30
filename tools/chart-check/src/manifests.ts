import { parseAllDocuments } from 'yaml';

/** The fields every Kubernetes object has; the rest is read by path. */
export interface KubernetesObject {
  readonly apiVersion: string;
  readonly kind: string;
  readonly metadata: {
    readonly name: string;
    readonly namespace?: string;
    readonly labels?: Record<string, string>;
    readonly annotations?: Record<string, string>;
  };
  readonly [field: string]: unknown;
}

export class ManifestError extends Error {
  override readonly name = 'ManifestError';
  readonly code = 'manifest_invalid';
  readonly retryable = false;
}

const isRecord = (value: unknown): value is Record<string, unknown> => typeof value === 'object' && value !== null && !Array.isArray(value);

/** Parses a multi-document YAML stream (helm template's output); empty documents are skipped. */
export function parseManifests(text: string): KubernetesObject[] {
  const objects: KubernetesObject[] = [];
  for (const document of parseAllDocuments(text)) {
    if (document.errors.length > 0) throw new ManifestError(`not YAML: ${document.errors.map((error) => error.message).join('; ')}`);
    const value: unknown = document.toJS();
    if (value === null || value === undefined) continue;
    if (!isRecord(value) || typeof value['apiVersion'] !== 'string' || typeof value['kind'] !== 'string') {
      throw new ManifestError(`a document is not a Kubernetes object: ${JSON.stringify(value).slice(0, 200)}`);
    }
    const metadata = value['metadata'];
    if (!isRecord(metadata) || typeof metadata['name'] !== 'string') throw new ManifestError(`a ${value['kind']} has no metadata.name`);
    objects.push(value as KubernetesObject);
  }
  return objects;
}

/** "Deployment/mapek-monitor": how problems name an object. */
export function describeObject(object: KubernetesObject): string {
  return `${object.kind}/${object.metadata.name}`;
}
