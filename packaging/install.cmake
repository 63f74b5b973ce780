# Install rules, included last by the top-level CMakeLists.txt (`make install`, `make deb`):
#   PREFIX/bin/                      every program built from src/ (not the test helpers)
#   PREFIX/share/recguard/msgs/      the bundled .msg definitions (rec_msgdef looks there,
#                                    relative to the binary, after AMENT_PREFIX_PATH)
#   PREFIX/share/doc/recguard/       README.md, docs/, msgs.md, examples/recguard.yaml
#   PREFIX/lib/systemd/system/       recguard.service, its paths rewritten for PREFIX
#   /etc/recguard/recguard.yaml      the sample config, only when none is there yet
# The last two depend on the prefix given at install time (`cmake --install --prefix`), so a
# script writes them then (packaging/install_files.cmake).
include(GNUInstallDirs)

# Executable targets defined under `dir` and its subdirectories.
function(rg_programs_in dir out)
  get_property(targets DIRECTORY ${dir} PROPERTY BUILDSYSTEM_TARGETS)
  get_property(subdirs DIRECTORY ${dir} PROPERTY SUBDIRECTORIES)
  set(found "")
  foreach(t ${targets})
    get_target_property(type ${t} TYPE)
    if(type STREQUAL "EXECUTABLE")
      list(APPEND found ${t})
    endif()
  endforeach()
  foreach(d ${subdirs})
    rg_programs_in(${d} sub)
    list(APPEND found ${sub})
  endforeach()
  set(${out} ${found} PARENT_SCOPE)
endfunction()

set(RG_PROGRAMS "")
get_property(rg_top_dirs DIRECTORY ${CMAKE_SOURCE_DIR} PROPERTY SUBDIRECTORIES)
foreach(d ${rg_top_dirs})
  if(d MATCHES "^${CMAKE_SOURCE_DIR}/src/")
    rg_programs_in(${d} p)
    list(APPEND RG_PROGRAMS ${p})
  endif()
endforeach()
if(NOT RG_PROGRAMS)
  message(FATAL_ERROR "install: no executable target under src/")
endif()

install(TARGETS ${RG_PROGRAMS} RUNTIME DESTINATION ${CMAKE_INSTALL_BINDIR})
# `cmake --build DIR --target rg_programs` builds what gets installed and nothing else (make deb).
add_custom_target(rg_programs DEPENDS ${RG_PROGRAMS})

install(DIRECTORY ${CMAKE_SOURCE_DIR}/msgs/ DESTINATION ${CMAKE_INSTALL_DATADIR}/recguard/msgs
  FILES_MATCHING PATTERN "*.msg")
install(FILES ${CMAKE_SOURCE_DIR}/README.md DESTINATION ${CMAKE_INSTALL_DOCDIR})
install(FILES ${CMAKE_SOURCE_DIR}/msgs/README.md DESTINATION ${CMAKE_INSTALL_DOCDIR} RENAME msgs.md)
install(DIRECTORY ${CMAKE_SOURCE_DIR}/docs/ DESTINATION ${CMAKE_INSTALL_DOCDIR}/docs
  FILES_MATCHING PATTERN "*.md")
install(FILES ${CMAKE_SOURCE_DIR}/packaging/recguard.yaml DESTINATION ${CMAKE_INSTALL_DOCDIR}/examples)

install(CODE "set(RG_PACKAGING_DIR \"${CMAKE_SOURCE_DIR}/packaging\")
set(RG_INSTALL_WORK \"${CMAKE_BINARY_DIR}/install_work\")
set(RG_BINDIR \"${CMAKE_INSTALL_BINDIR}\")
set(RG_DOCDIR \"${CMAKE_INSTALL_DOCDIR}\")")
install(SCRIPT ${CMAKE_SOURCE_DIR}/packaging/install_files.cmake)
