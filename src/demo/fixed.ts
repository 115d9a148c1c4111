/** Subjects the README and outside checks rely on; always present in the demo data. */
export const FIXED_SUBJECT_IDS = {
  enterprise: '91500103MA5U7K3D1E',
  cooperative: '93500101MA60QR2L82',
  familyFarmOperator: '500233198506123415',
} as const;
