/** The attestation store kept beside a bundle; never part of the model. */
export const STORE_DIR = '.mprov';
