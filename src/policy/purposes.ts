/** Why subject data is read (征信业管理条例: data is used only for the agreed purpose). Sent as `X-Hub-Purpose`. */
export enum Purpose {
  LOAN_APPROVAL = 'LOAN_APPROVAL',
  GUARANTEE_APPROVAL = 'GUARANTEE_APPROVAL',
  POST_LOAN_MANAGEMENT = 'POST_LOAN_MANAGEMENT',
  SUPERVISION = 'SUPERVISION',
}

export const PURPOSE_HEADER = 'x-hub-purpose';

export function parsePurpose(value: string | undefined): Purpose | undefined {
  if (!value) return undefined;
  const upper = value.trim().toUpperCase();
  return (Object.values(Purpose) as string[]).includes(upper) ? (upper as Purpose) : undefined;
}
