export function watchParent(onOrphaned: () => void): void;
