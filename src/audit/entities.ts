export const auditEntities: Function[] = [];
