export * from './address-policy';
export * from './outbound-url';
