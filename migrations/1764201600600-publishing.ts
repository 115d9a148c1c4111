import type { MigrationInterface } from 'typeorm';
export class Publishing1764201600600 implements MigrationInterface { name = 'Publishing1764201600600'; async up(): Promise<void> {} async down(): Promise<void> {} }
