export const creditEntities: Function[] = [];
