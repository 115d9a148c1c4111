import type { MigrationInterface } from 'typeorm';
export class Exposure1764201600300 implements MigrationInterface { name = 'Exposure1764201600300'; async up(): Promise<void> {} async down(): Promise<void> {} }
