export const supervisionEntities: Function[] = [];
