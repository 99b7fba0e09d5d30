export {
  type HelmResult,
  type HelmValues,
  HelmNotFoundError,
  helmBinary,
  helmLint,
  helmTemplate,
  runHelm,
  type TemplateOptions,
} from './helm.runner.js';
export { describeObject, type KubernetesObject, ManifestError, parseManifests } from './manifests.js';
export { knownKinds, schemaProblems, validateAgainstSchemas } from './kubernetes-schema.validator.js';
export { podPolicyViolations, podSpecOf, workloads } from './pod-policy.js';
export { openIngressPolicies, workloadsWithoutPolicy } from './network-policy.js';
