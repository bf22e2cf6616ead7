/** The Kubernetes executor, apart from the package's main entry so `hyperfleet run` never loads client-node. */
export {
  createKubernetesExecutor,
  type KubernetesExecutorFlags,
} from './create-kubernetes-executor';
export { type ExecTrialOptions, execTrialInPod } from './exec-trial';
export { buildJobManifest, type JobTemplateOptions, type SecretRef } from './job-manifest';
export { attemptSelector, jobNameOf, KUBE_ANNOTATIONS, KUBE_LABELS } from './kube-names';
export {
  type ExecutorBinding,
  type GarbageReport,
  KubernetesExecutor,
  type KubernetesExecutorOptions,
} from './kubernetes-executor';
export { DEFAULT_START_BOUNDS, type StartBounds } from './pod-verdict';
