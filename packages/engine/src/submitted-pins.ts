import type { SweepPins } from '@hyperfleet/lineage';
import type { JobPins } from '@hyperfleet/transport';

/** The sweep's pins as submitted: what lineage records (SweepPins) plus where agents find the code and data. */
export type SubmittedPins = SweepPins & Pick<JobPins, 'bundle' | 'dataRemote'>;
