import { Certificate } from '@kubernetes-models/cert-manager/cert-manager.io/v1/Certificate';
import { ServiceMonitor } from '@kubernetes-models/prometheus-operator/monitoring.coreos.com/v1/ServiceMonitor';
import { Deployment } from 'kubernetes-models/apps/v1/Deployment';
import { Job } from 'kubernetes-models/batch/v1/Job';
import { NetworkPolicy } from 'kubernetes-models/networking.k8s.io/v1/NetworkPolicy';
import { PodDisruptionBudget } from 'kubernetes-models/policy/v1/PodDisruptionBudget';
import { Role } from 'kubernetes-models/rbac.authorization.k8s.io/v1/Role';
import { RoleBinding } from 'kubernetes-models/rbac.authorization.k8s.io/v1/RoleBinding';
import { ConfigMap } from 'kubernetes-models/v1/ConfigMap';
import { Secret } from 'kubernetes-models/v1/Secret';
import { Service } from 'kubernetes-models/v1/Service';
import { ServiceAccount } from 'kubernetes-models/v1/ServiceAccount';
import { describeObject, type KubernetesObject } from './manifests.js';

/**
 * A model class of kubernetes-models: its constructor takes the object, validate() throws on a
 * schema violation. Each class types its own data; rendered YAML is untyped, hence `never`.
 */
type ModelClass = new (data?: never) => { validate(): void };

/**
 * The kinds the chart may render, each with the validator generated from the Kubernetes OpenAPI
 * schema (kubernetes-models) or from the CRD's schema (cert-manager, prometheus-operator). A kind
 * that is not listed is a problem, so a new kind in the chart needs its schema here first.
 */
const models: Readonly<Record<string, ModelClass>> = {
  'v1/ConfigMap': ConfigMap,
  'v1/Secret': Secret,
  'v1/Service': Service,
  'v1/ServiceAccount': ServiceAccount,
  'apps/v1/Deployment': Deployment,
  'batch/v1/Job': Job,
  'policy/v1/PodDisruptionBudget': PodDisruptionBudget,
  'networking.k8s.io/v1/NetworkPolicy': NetworkPolicy,
  'rbac.authorization.k8s.io/v1/Role': Role,
  'rbac.authorization.k8s.io/v1/RoleBinding': RoleBinding,
  'cert-manager.io/v1/Certificate': Certificate,
  'monitoring.coreos.com/v1/ServiceMonitor': ServiceMonitor,
};

interface AjvError {
  readonly instancePath?: string;
  readonly message?: string;
}

/**
 * What is wrong with one object against its API schema: wrong types, missing required fields,
 * values outside an enum or a format. (Like kubectl's client-side check, unknown fields are not
 * reported: the generated schemas allow them.)
 */
export function schemaProblems(object: KubernetesObject): string[] {
  const model = models[`${object.apiVersion}/${object.kind}`];
  if (model === undefined)
    return [
      `${describeObject(object)}: no schema for ${object.apiVersion} ${object.kind} (add its model to kubernetes-schema.validator.ts)`,
    ];
  try {
    new model(object as never).validate();
    return [];
  } catch (error) {
    const errors = (error as { errors?: readonly AjvError[] }).errors;
    if (errors === undefined) return [`${describeObject(object)}: ${(error as Error).message}`];
    return errors.map((problem) => `${describeObject(object)}: ${problem.instancePath || '/'} ${problem.message ?? 'is invalid'}`);
  }
}

/** Every object's problems, or [] when all are valid. */
export function validateAgainstSchemas(objects: readonly KubernetesObject[]): string[] {
  return objects.flatMap(schemaProblems);
}

export const knownKinds: readonly string[] = Object.keys(models);
