export const opsEntities: Function[] = [];
