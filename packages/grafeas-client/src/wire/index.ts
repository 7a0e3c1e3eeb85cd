import type { ApiVersion } from '../model.js';
import type { WireMapper } from './shared-mapper.js';
import { v1Mapper } from './v1.js';
import { v1beta1Mapper } from './v1beta1.js';

export type { WireMapper, WireNote, WireOccurrence } from './shared-mapper.js';
export { v1beta1Mapper, v1Mapper };

export function mapperFor(version: ApiVersion): WireMapper {
  return version === 'v1' ? v1Mapper : v1beta1Mapper;
}
