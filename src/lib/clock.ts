/** The only way domain code learns the time: injected, so decisions are testable with a fake clock. */
export type Clock = () => Date;

export const systemClock: Clock = () => new Date();
