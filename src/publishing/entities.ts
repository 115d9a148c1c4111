export const publishingEntities: Function[] = [];
