export const exposureEntities: Function[] = [];
