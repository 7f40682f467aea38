module msgconv

go 1.27.3
