# Install-time part of packaging/install.cmake: the files whose content or place depends on the
# prefix chosen at install time. Runs inside cmake_install.cmake, where CMAKE_INSTALL_PREFIX is
# that prefix and file(INSTALL) honours DESTDIR.
set(prefix "${CMAKE_INSTALL_PREFIX}")

# The unit as shipped names /usr/local paths; rewrite them for this prefix. The config stays in
# /etc/recguard whatever the prefix: it is the machine's, not the package's.
file(READ "${RG_PACKAGING_DIR}/recguard.service" unit)
string(REPLACE "/usr/local/bin/recguard" "${prefix}/${RG_BINDIR}/recguard" unit "${unit}")
string(REPLACE "/usr/local/share/doc/recguard/ARCHITECTURE.md"
               "${prefix}/${RG_DOCDIR}/docs/ARCHITECTURE.md" unit "${unit}")
if(NOT unit MATCHES "ExecStart=${prefix}/${RG_BINDIR}/recguard ")
  message(FATAL_ERROR "install: packaging/recguard.service has no ExecStart=/usr/local/bin/recguard to rewrite")
endif()
# A directory of this run's own: two installs from one build tree may run at once (tests).
string(RANDOM LENGTH 12 run)
set(work "${RG_INSTALL_WORK}/${run}")
file(WRITE "${work}/recguard.service" "${unit}")
file(INSTALL "${work}/recguard.service" DESTINATION "${prefix}/lib/systemd/system")
file(REMOVE_RECURSE "${work}")

# Never overwrite a config the user already has; the sample is also in the doc directory.
if(NOT EXISTS "$ENV{DESTDIR}/etc/recguard/recguard.yaml")
  file(INSTALL "${RG_PACKAGING_DIR}/recguard.yaml" DESTINATION "/etc/recguard")
endif()
