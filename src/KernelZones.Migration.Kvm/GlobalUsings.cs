global using KernelZones.Migration.Guests;
