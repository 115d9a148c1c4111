import { creditAdapters } from '../credit/publishing';
import { exposureAdapters } from '../exposure/reporting';
import type { DatasetAdapter } from './adapter';
import { agriRegistrationAdapter, registrationAdapter } from './registration';

/** Every dataset that can be published or reported, by publishing dataset code. */
export const ADAPTERS: ReadonlyMap<string, DatasetAdapter> = new Map(
  [registrationAdapter, agriRegistrationAdapter, ...creditAdapters, ...exposureAdapters].map((a) => [a.dataset, a]),
);

/** The adapter of a dataset, or undefined. */
export function adapterFor(dataset: string): DatasetAdapter | undefined {
  return ADAPTERS.get(dataset);
}
