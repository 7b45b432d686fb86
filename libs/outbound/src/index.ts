export * from './address-policy';
export * from './outbound-url';
export * from './capped-fetch';
